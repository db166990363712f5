from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "alongside.exits"
    label = "exits"
