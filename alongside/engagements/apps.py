from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "alongside.engagements"
    label = "engagements"
