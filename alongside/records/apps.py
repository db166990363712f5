from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "alongside.records"
    label = "records"
    verbose_name = "The participant's own record"
