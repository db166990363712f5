"""Reads of team plan worksheets: the engagement's section, history, and reviews due."""

from __future__ import annotations

import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from alongside.teamplans.models import Channel, TeamPlanWorksheet

HISTORY_SHOWN = 20
REVIEW_SOON_DAYS = 30
# Fields whose changes the history shows (dates of review are shown as "reviewed").
SHOWN_FIELDS = [
    "channels",
    "days_and_hours",
    "frequency",
    "language",
    "messages_ok",
    "boundaries",
    "reviewed_on",
]


def worksheet_for(engagement) -> TeamPlanWorksheet | None:
    return TeamPlanWorksheet.objects.filter(engagement_id=engagement.pk).first()


def review_state(worksheet: TeamPlanWorksheet | None, today: datetime.date | None = None) -> str:
    """ "missing", "overdue", "soon" or "" (not due within 30 days)."""
    if worksheet is None:
        return "missing"
    today = today or timezone.localdate()
    if worksheet.review_due_on < today:
        return "overdue"
    if worksheet.review_due_on <= today + datetime.timedelta(days=REVIEW_SOON_DAYS):
        return "soon"
    return ""


def engagement_section(engagement) -> dict:
    """What the engagement page shows about the worksheet (one query)."""
    worksheet = worksheet_for(engagement)
    return {"team_plan": worksheet, "team_plan_review": review_state(worksheet)}


def reviews_due(engagements: QuerySet, today: datetime.date) -> QuerySet:
    """Of ``engagements`` (active or exiting): no worksheet, or its review due within 30 days."""
    from alongside.engagements.models import State

    horizon = today + datetime.timedelta(days=REVIEW_SOON_DAYS)
    return (
        engagements.filter(state__in=[State.ACTIVE, State.EXITING])
        .filter(Q(team_plan__isnull=True) | Q(team_plan__review_due_on__lte=horizon))
        .annotate(team_plan_due_on=F("team_plan__review_due_on"))
        .order_by(F("team_plan__review_due_on").asc(nulls_first=True), "pk")
    )


def _value(name: str, value) -> str:
    if name == "channels":
        return ", ".join(str(Channel(c).label) for c in value or [] if c in Channel.values)
    if name == "messages_ok":
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    if name == "language":
        from alongside.accounts.models import LANGUAGE_CHOICES

        return str(dict(LANGUAGE_CHOICES).get(value, value))
    return "" if value is None else str(value)


def worksheet_history(worksheet: TeamPlanWorksheet) -> list[dict]:
    """The latest changes, newest first: when, who, why, and field by field what changed."""
    records = list(
        worksheet.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_SHOWN + 1
        ]
    )
    rows = []
    for i, record in enumerate(records[:HISTORY_SHOWN]):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older, included_fields=SHOWN_FIELDS)
            for change in delta.changes:
                field = TeamPlanWorksheet._meta.get_field(change.field)
                changes.append(
                    {
                        "label": field.verbose_name,
                        "before": _value(change.field, change.old),
                        "after": _value(change.field, change.new),
                    }
                )
        rows.append(
            {
                "at": record.history_date,
                "who": record.history_user,
                "reason": record.history_change_reason or "",
                "created": older is None and record.history_type == "+",
                "changes": changes,
            }
        )
    return rows
