from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "alongside.agreements"
    label = "agreements"
