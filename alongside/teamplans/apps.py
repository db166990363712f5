from django.apps import AppConfig


class TeamPlansConfig(AppConfig):
    name = "alongside.teamplans"
    label = "teamplans"
    verbose_name = "Team plan worksheets"
