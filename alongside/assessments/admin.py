"""The tier rule in the admin: each organization's admin tunes their own thresholds."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alongside.assessments.models import TierRule
from alongside.core.admin import OrganizationScopedAdmin


@admin.register(TierRule)
class TierRuleAdmin(OrganizationScopedAdmin):
    """One rule per organization; without one the defaults apply (see docs/assessments.md)."""

    list_display = [
        "organization",
        "recovery_capital_threshold",
        "wellbeing_floor",
        "goals_progressing_share",
        "attendance_floor",
        "min_progress_signs",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["organization"]}),
        (
            _("Surveys"),
            {
                "fields": [
                    "recovery_capital_threshold",
                    "wellbeing_floor",
                    "wellbeing_rise",
                    "progress_survey_good",
                    "progress_survey_low",
                ]
            },
        ),
        (
            _("Goals and attendance"),
            {
                "fields": [
                    "goal_rating_progress",
                    "goals_progressing_share",
                    "attendance_floor",
                    "attendance_min_meetings",
                ]
            },
        ),
        (_("The verdict"), {"fields": ["min_progress_signs", "exit_goals_achieved_share"]}),
    ]
