"""Referral funnel: of the referrals received in the period, how many were screened,
matched, became active and exited, with the median days between the steps. One query:
each referral with the days from it to each step (worked out by the database) and the
steps its engagement reached."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.contacts.models import Contact
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.referrals.models import Referral
from alongside.reports.definitions.common import DaysBetween, in_period, median_days, share
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table


def _first(queryset, field: str) -> Subquery:
    """The engagement's earliest ``field``: the first row of its (engagement, field) index,
    read in order (no aggregate over all its rows)."""
    return Subquery(
        queryset.filter(engagement_id=OuterRef("engagement__pk")).order_by(field).values(field)[:1]
    )


@register(
    "funnel",
    gettext_lazy("Referral funnel"),
    gettext_lazy(
        "Referrals received in the period: how many were screened, matched, became "
        "active and exited, and how long each step took."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    referrals = Referral.objects.filter(
        in_period(filters, "received_at"),
        organization_id=filters.organization_id,
        program_id__in=filters.program_ids,
    )
    if filters.supporter_id:
        referrals = referrals.filter(engagement__supporter_id=filters.supporter_id)
    if filters.site_id:
        referrals = referrals.filter(engagement__site_id=filters.site_id)
    received = F("received_at")
    rows = (
        referrals.annotate(
            first_contact=_first(Contact.objects.all(), "occurred_at"),
            first_meeting=_first(Meeting.objects.filter(status=MeetingStatus.HELD), "starts_at"),
        )
        .annotate(
            # Days from the referral to each step, worked out by the database (fetching
            # and parsing every instant cost more than all the rest).
            to_screen=DaysBetween("screened_at", received),
            to_match=DaysBetween("matched_at", received),
            to_contact=DaysBetween("first_contact", received),
            to_meeting=DaysBetween("first_meeting", received),
            # The day matched as the instant's UTC date, as Python's .date() read it.
            matched_on=Cast("matched_at", DateField()),
            exited=ExpressionWrapper(
                Q(engagement__closed_on__isnull=False), output_field=BooleanField()
            ),
        )
        .order_by()
        .values_list(
            "participant_id",
            "to_screen",
            "to_match",
            "matched_on",
            "engagement__activated_on",
            "exited",
            "to_contact",
            "to_meeting",
        )
    )
    steps = {key: set() for key in ("received", "screened", "matched", "active", "exited")}
    to_screen, to_contact, to_match, to_active = [], [], [], []
    for person, screened, matched, matched_on, active, exited, contact, meeting in rows:
        steps["received"].add(person)
        if screened is not None:
            steps["screened"].add(person)
            to_screen.append(screened)
        if matched is not None:
            steps["matched"].add(person)
            to_match.append(matched)
        if active:
            steps["active"].add(person)
            if matched is not None:
                to_active.append(float((active - matched_on).days))
        if exited:
            steps["exited"].add(person)
        # The first contact or held meeting on or after the referral.
        firsts = [days for days in (contact, meeting) if days is not None and days >= 0]
        if firsts:
            to_contact.append(min(firsts))
    labels = {
        "received": _("Received"),
        "screened": _("Screened"),
        "matched": _("Matched"),
        "active": _("Active"),
        "exited": _("Exited"),
    }
    received = len(steps["received"])
    funnel_rows, previous = [], received
    for key, label in labels.items():
        n = len(steps[key])
        funnel_rows.append(
            Row(label, [Cell(n, people=n), share(n, received, n), share(n, previous, n)])
        )
        previous = n
    timing = [
        (_("Received → screened"), to_screen),
        (_("Received → first contact"), to_contact),
        (_("Received → matched"), to_match),
        (_("Matched → active"), to_active),
    ]
    return [
        Table(
            key="funnel",
            title=_("From referral to exit"),
            label_header=_("Step"),
            columns=[_("People"), _("% of received"), _("% of the step before")],
            rows=funnel_rows,
            chart=Chart("bars", column=0),
            note=_("People referred in the period, followed to today."),
        ),
        Table(
            key="timing",
            title=_("Days between steps"),
            label_header=_("Between"),
            columns=[_("Median days"), _("People")],
            rows=[
                Row(label, [median_days(days), Cell(len(days), people=len(days))])
                for label, days in timing
            ],
            chart=Chart("bars", column=0, unit=" d"),
        ),
    ]
