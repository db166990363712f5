"""Caseloads: open engagements and tier-weighted load per supporter, and the waitlist, as
they stood at the end of the period."""

from __future__ import annotations

import datetime

from django.urls import reverse

from alongside.assessments.models import Assessment
from alongside.engagements.models import Engagement, State, SupporterAssignment
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Status
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import at, engagements_of, filters_of
from alongside.reports.testing import row as _row
from alongside.reports.testing import table as _table

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)


def _filters(world, **kwargs) -> ReportFilters:
    return filters_of(world, START, END, **kwargs)


def _labels(table):
    return [r.label for r in table.rows]


def _started(engagements, day=datetime.date(2026, 1, 10), **fields):
    Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(
        started_on=day, activated_on=day, **fields
    )


def _assessed(engagement, tier: int, day: datetime.date) -> Assessment:
    return Assessment.objects.create(
        engagement=engagement,
        tier=tier,
        rationale="Seen together.",
        assessed_on=day,
        reassess_on=day + datetime.timedelta(days=180),
        assessed_by=engagement.supporter,
    )


def _report(world, **kwargs):
    return run(definition("caseloads"), _filters(world, **kwargs))


def test_caseload_weighs_the_engagements_open_at_the_end_by_their_tier_then(world):
    twelve = engagements_of(12, world.program, world.supporter)
    _started(twelve)
    for e in twelve[4:8]:
        _assessed(e, 3, datetime.date(2026, 2, 1))
        _assessed(e, 2, datetime.date(2026, 3, 1))  # the latest by the end: Tier 2
    for e in twelve[8:]:
        _assessed(e, 3, datetime.date(2026, 6, 30))
    _assessed(twelve[0], 3, datetime.date(2026, 7, 1))  # after the end: still untiered
    # Not open on the last day: closed that day, started after it, never matched.
    late = engagements_of(3, world.respite, world.supporter, prefix="Late")
    _started(late[:1], closed_on=END, state=State.CLOSED)
    _started(late[1:2], day=END + datetime.timedelta(days=1))
    _started(late[2:], state=State.REFERRED)

    table = _table(_report(world), "caseloads")

    # 4 untiered (Tier 1: 1.5) + 4 Tier 2 (1.0) + 4 Tier 3 (0.5) = 12.0 against 10.
    assert _row(table, "Sunny Demo") == [12, 12.0, 10, 120.0]
    # Omar serves the program, with nothing open then (his engagement began later).
    assert _row(table, "Omar Demo") == [0, 0.0, 10, 0.0]
    assert _row(table, "Total") == [12, 12.0, 20, 60.0]
    assert "fewer than 11" in table.note


def test_an_engagement_closed_after_the_end_still_counts_and_a_rematch_reads_as_then(world):
    twelve = engagements_of(11, world.program, world.supporter)
    _started(twelve)
    Engagement.objects.filter(pk=twelve[0].pk).update(
        closed_on=END + datetime.timedelta(days=1), state=State.CLOSED
    )
    # Now Omar's, but Sunny's until August.
    moved = engagements_of(1, world.respite, world.other_supporter, prefix="Moved")[0]
    _started([moved])
    SupporterAssignment.objects.create(
        engagement=moved,
        supporter=world.supporter,
        started_on=datetime.date(2026, 1, 10),
        ended_on=datetime.date(2026, 8, 1),
    )
    SupporterAssignment.objects.create(
        engagement=moved, supporter=world.other_supporter, started_on=datetime.date(2026, 8, 1)
    )

    table = _table(_report(world), "caseloads")

    assert _row(table, "Sunny Demo") == [12, 18.0, 10, 180.0]
    assert _row(table, "Omar Demo") == [0, 0.0, 10, 0.0]


def test_a_small_caseload_hides_its_count_but_shows_the_load(world):
    twelve = engagements_of(12, world.program, world.supporter)
    three = engagements_of(3, world.program, world.other_supporter, prefix="O")
    _started(twelve + three)

    table = _table(_report(world), "caseloads")

    assert _row(table, "Omar Demo") == [None, 4.5, 10, 45.0]
    # 15 - 12 would give Omar's count away: Sunny's count goes too, the total stays.
    assert _row(table, "Sunny Demo") == [None, 18.0, 10, 180.0]
    assert _row(table, "Total") == [15, 22.5, 20, 112.5]


def test_caseloads_follow_the_supporter_program_and_site_filters(world):
    _started(engagements_of(12, world.program, world.supporter))
    _started(engagements_of(11, world.program, world.other_supporter, prefix="O"))

    mine = _table(_report(world, supporter_id=world.other_supporter.pk), "caseloads")
    assert _labels(mine) == ["Omar Demo", "Total"]
    assert _row(mine, "Omar Demo") == [11, 16.5, 10, 165.0]
    # Only Sunny serves the respite, which has nothing open.
    respite = _table(_report(world, program_ids=(world.respite.pk,)), "caseloads")
    assert _labels(respite) == ["Sunny Demo", "Total"]
    assert _row(respite, "Sunny Demo") == [0, 0.0, 10, 0.0]


def _referral(world, received: datetime.datetime, program=None, **fields) -> Referral:
    participant = Participant.objects.create(organization=world.org, first_name="Waiting")
    referral = Referral.objects.create(
        organization=world.org,
        program=program or world.program,
        participant=participant,
        source="self",
        needs="Someone to talk to",
    )
    Referral.objects.filter(pk=referral.pk).update(received_at=received, **fields)
    return referral


def test_the_waitlist_is_the_referrals_waiting_on_the_last_day(world):
    for status in [Status.NEW] * 6 + [Status.ACCEPTED] * 3 + [Status.WAITLISTED] * 3:
        _referral(world, at(datetime.date(2026, 6, 1)), status=status)
    # Matched or declined after the end: still waiting then.
    _referral(
        world,
        at(datetime.date(2026, 5, 1)),
        status=Status.MATCHED,
        matched_at=at(datetime.date(2026, 7, 5)),
    )
    _referral(
        world,
        at(datetime.date(2026, 6, 10)),
        status=Status.DECLINED,
        screened_at=at(datetime.date(2026, 7, 2)),
    )
    _referral(world, at(END, hour=23))
    # Not waiting then: received the day after, matched or declined by the end.
    _referral(world, at(END + datetime.timedelta(days=1), hour=0))
    _referral(
        world,
        at(datetime.date(2026, 3, 1)),
        status=Status.MATCHED,
        matched_at=at(datetime.date(2026, 6, 15)),
    )
    _referral(
        world,
        at(datetime.date(2026, 3, 1)),
        status=Status.DECLINED,
        screened_at=at(datetime.date(2026, 6, 20)),
    )

    table = _table(_report(world), "waitlist")

    # Days waiting: twelve of 29, one of 60, one of 20, one of 0.
    assert _row(table, "Community Peer Support") == [15, 29.0, 60]
    assert _row(table, "Peer Respite") == [0, None, None]
    assert _row(table, "Total") == [15, 29.0, 60]


def test_a_short_waitlist_is_hidden_with_its_complement(world):
    for _i in range(12):
        _referral(world, at(datetime.date(2026, 6, 1)))
    for _i in range(2):
        _referral(world, at(datetime.date(2026, 6, 20)), program=world.respite)

    table = _table(_report(world), "waitlist")

    assert _row(table, "Peer Respite") == [None, None, None]
    assert _row(table, "Community Peer Support") == [None, None, None]
    assert _row(table, "Total") == [14, 29.0, 29]
    only_respite = _table(_report(world, program_ids=(world.respite.pk,)), "waitlist")
    assert _row(only_respite, "Total") == [None, None, None]


def test_caseloads_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    engagements = engagements_of(15, world.program, world.supporter)
    _started(engagements)
    for e in engagements:
        _assessed(e, 2, datetime.date(2026, 2, 1))
        _referral(world, at(datetime.date(2026, 6, 1)))
    # A supporter without a profile: one more query for the names, no more.
    _started(engagements_of(3, world.respite, world.coordinator, prefix="C"))
    with django_assert_max_num_queries(5):
        _report(world)


def test_the_page_shows_the_tables(world, client):
    _started(engagements_of(12, world.program, world.supporter))
    client.force_login(world.coordinator)
    response = client.get(
        reverse("reports:report", args=["caseloads"]),
        {"start": START.isoformat(), "end": END.isoformat()},
    )
    assert response.status_code == 200
    assert "Caseload per peer supporter" in response.content.decode()
    assert "Waitlist" in response.content.decode()
