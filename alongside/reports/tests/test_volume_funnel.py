"""Service volume and the referral funnel count exactly what they say, in the period."""

from __future__ import annotations

import datetime

from alongside.meetings.models import MeetingStatus, Mode
from alongside.referrals.models import Referral, Status
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import at, engagements_of, filters_of, held
from alongside.reports.testing import row as _row
from alongside.reports.testing import table as _table


def _filters(world, **kwargs) -> ReportFilters:
    return filters_of(world, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), **kwargs)


def test_volume_counts_held_meetings_hours_and_units_of_the_period(world):
    twelve = engagements_of(12, world.program, world.supporter)
    for engagement in twelve:
        held(engagement, datetime.date(2026, 3, 10), minutes=90, units=6)
        held(engagement, datetime.date(2026, 4, 2), mode=Mode.IN_PERSON, minutes=30, units=2)
    # Outside the period, or not held: not counted.
    held(twelve[0], datetime.date(2025, 12, 31))
    held(twelve[0], datetime.date(2026, 7, 1))
    held(twelve[1], datetime.date(2026, 3, 11), status=MeetingStatus.CANCELLED)

    report = run(definition("volume"), _filters(world))

    by_month = _table(report, "by_month")
    assert _row(by_month, "Mar 2026") == [12, 18.0, 72, 12, 0]
    assert _row(by_month, "Apr 2026") == [12, 6.0, 24, 12, 0]
    assert _row(by_month, "Jan 2026") == [0, 0.0, 0, 0, 0]
    assert _row(by_month, "Total") == [24, 24.0, 96, 12, 0]
    assert [r.label for r in by_month.rows][:6] == [
        "Jan 2026",
        "Feb 2026",
        "Mar 2026",
        "Apr 2026",
        "May 2026",
        "Jun 2026",
    ]
    by_mode = _table(report, "by_mode")
    assert _row(by_mode, "Phone") == [12, 18.0, 72, 12]
    assert _row(by_mode, "In person") == [12, 6.0, 24, 12]


def test_a_small_program_is_suppressed_with_its_complement_and_the_total_stays(world):
    for engagement in engagements_of(12, world.program, world.supporter):
        held(engagement, datetime.date(2026, 3, 10))
    for engagement in engagements_of(3, world.respite, world.supporter, prefix="Stay"):
        held(engagement, datetime.date(2026, 3, 10))

    by_program = _table(run(definition("volume"), _filters(world)), "by_program")

    assert _row(by_program, "Peer Respite") == [None] * 4
    # 15 - 3 would reveal the respite's figures, so the larger program is hidden too.
    assert _row(by_program, "Community Peer Support") == [None] * 4
    assert _row(by_program, "Total") == [15, 15.0, 60, 15]


def test_volume_follows_the_program_and_supporter_filters(world):
    for engagement in engagements_of(11, world.program, world.supporter):
        held(engagement, datetime.date(2026, 2, 1))
    for engagement in engagements_of(11, world.program, world.other_supporter, prefix="O"):
        held(engagement, datetime.date(2026, 2, 1))

    total = _row(_table(run(definition("volume"), _filters(world)), "by_mode"), "Total")
    assert total[0] == 22
    mine = run(definition("volume"), _filters(world, supporter_id=world.supporter.pk))
    assert _row(_table(mine, "by_mode"), "Total")[0] == 11
    respite = run(definition("volume"), _filters(world, program_ids=(world.respite.pk,)))
    assert _row(_table(respite, "by_mode"), "Total")[0] == 0


def test_volume_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for engagement in engagements_of(15, world.program, world.supporter):
        for month in (1, 2, 3):
            held(engagement, datetime.date(2026, month, 5))
    with django_assert_max_num_queries(3):
        run(definition("volume"), _filters(world))


def _referral(world, participant, received: datetime.datetime, **fields) -> Referral:
    referral = Referral.objects.create(
        organization=world.org,
        program=world.program,
        participant=participant,
        source="self",
        needs="Someone to talk to",
    )
    Referral.objects.filter(pk=referral.pk).update(received_at=received, **fields)
    referral.refresh_from_db()
    return referral


def test_the_funnel_follows_referrals_of_the_period_to_exit(world):
    received = at(datetime.date(2026, 2, 1))
    engagements = engagements_of(12, world.program, world.supporter)
    for i, engagement in enumerate(engagements):
        matched = received + datetime.timedelta(days=6)
        referral = _referral(
            world,
            engagement.participant,
            received,
            screened_at=received + datetime.timedelta(days=2),
            matched_at=matched,
            status=Status.MATCHED,
        )
        engagement.referral = referral
        engagement.started_on = matched.date()
        engagement.activated_on = matched.date() + datetime.timedelta(days=10)
        engagement.closed_on = datetime.date(2026, 5, 1) if i < 11 else None
        engagement.save()
        held(engagement, datetime.date(2026, 2, 4))
    # Received before the period: not in this cohort.
    early = engagements_of(1, world.respite, world.supporter, prefix="Early")[0]
    _referral(world, early.participant, at(datetime.date(2025, 12, 1)))

    report = run(definition("funnel"), _filters(world))

    funnel = _table(report, "funnel")
    assert _row(funnel, "Received") == [12, 100.0, 100.0]
    assert _row(funnel, "Matched") == [12, 100.0, 100.0]
    assert _row(funnel, "Exited") == [11, 91.7, 91.7]
    timing = _table(report, "timing")
    assert _row(timing, "Received → screened") == [2.0, 12]
    assert _row(timing, "Received → first contact") == [3.0, 12]
    assert _row(timing, "Received → matched") == [6.0, 12]
    assert _row(timing, "Matched → active") == [10.0, 12]


def test_a_funnel_of_few_referrals_shows_no_figure(world):
    for engagement in engagements_of(4, world.program, world.supporter):
        _referral(world, engagement.participant, at(datetime.date(2026, 3, 1)))

    report = run(definition("funnel"), _filters(world))

    assert all(c.suppressed for c in _table(report, "funnel").rows[0].cells)
    assert report.suppressed_count > 0
