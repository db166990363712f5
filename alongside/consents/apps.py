from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "alongside.consents"
    label = "consents"
    verbose_name = "Consents and disclosures"
