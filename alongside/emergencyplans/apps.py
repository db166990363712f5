from django.apps import AppConfig


class EmergencyPlansConfig(AppConfig):
    name = "alongside.emergencyplans"
    label = "emergencyplans"
    verbose_name = "Emergency plans"
