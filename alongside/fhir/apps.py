from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "alongside.fhir"
    label = "fhir"
    verbose_name = "FHIR export"
