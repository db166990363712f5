"""The waitlist: who is waiting, for how long, filtered and ordered; for coordinators."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Status, Urgency
from alongside.referrals.selectors import days_to_match


def url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("referrals:waitlist") + (f"?{urlencode(params)}" if params else "")


def _waiting(
    world,
    name: str,
    *,
    days: int,
    status=Status.WAITLISTED,
    priority: int | None = 3,
    urgency=Urgency.ROUTINE,
    language="en",
    program=None,
) -> Referral:
    person = Participant.objects.create(organization=world.org, first_name=name)
    referral = Referral.objects.create(
        organization=world.org,
        program=program or world.program,
        participant=person,
        source="self",
        needs="x",
        status=status,
        waitlist_priority=priority,
        urgency=urgency,
        preferred_language=language,
    )
    Referral.objects.filter(pk=referral.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=days)
    )
    return referral


def _names(response) -> list[str]:
    return [str(r.participant) for r in response.context["page"]]


def test_it_orders_by_priority_then_urgency_then_longest_waiting(client, world):
    _waiting(world, "Low", days=90, priority=5, urgency=Urgency.URGENT)
    _waiting(world, "RoutineOld", days=30, priority=2)
    _waiting(world, "RoutineNew", days=2, priority=2)
    _waiting(world, "Urgent", days=1, priority=2, urgency=Urgency.URGENT)
    _waiting(world, "Soon", days=1, priority=2, urgency=Urgency.SOON)
    _waiting(world, "Top", days=0, priority=1)
    _waiting(world, "Accepted", days=10, status=Status.ACCEPTED, priority=None)
    _waiting(world, "New", days=40, status=Status.NEW, priority=None)
    _waiting(world, "Declined", days=40, status=Status.DECLINED)
    _waiting(world, "Matched", days=40, status=Status.MATCHED)
    client.force_login(world.coordinator)

    response = client.get(url())

    assert _names(response) == [
        "Top",
        "Urgent",
        "Soon",
        "RoutineOld",
        "RoutineNew",
        "Accepted",  # accepted without a priority ranks as 3
        "Low",
    ]


def test_it_shows_waiting_time_since_when_and_the_facts(client, world):
    referral = _waiting(world, "Robin", days=12, language="es", urgency=Urgency.SOON)
    Referral.objects.filter(pk=referral.pk).update(language_required=True)
    client.force_login(world.coordinator)

    page = client.get(url()).content.decode()

    since = timezone.localtime(timezone.now() - datetime.timedelta(days=12))
    assert "12 days" in page
    assert f"(since {since:%m/%d/%Y})" in page
    assert "Spanish" in page and ">must<" in page
    assert "Soon (within a week)" in page
    assert "Community Peer Support" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"language": "es"}, ["Spanish"]),
        ({"urgency": "urgent"}, ["Urgent"]),
        ("respite", ["Respite"]),
        ({"language": "es", "urgency": "urgent"}, []),
        ({"language": "klingon"}, ["Respite", "Spanish", "Urgent"]),
        ({"urgency": "<script>"}, ["Respite", "Spanish", "Urgent"]),
        ({"program": "abc"}, ["Respite", "Spanish", "Urgent"]),
        ("other-org-program", ["Respite", "Spanish", "Urgent"]),
    ],
)
def test_filters(client, world, params, expected):
    _waiting(world, "Spanish", days=3, language="es")
    _waiting(world, "Urgent", days=2, urgency=Urgency.URGENT, priority=4)
    _waiting(world, "Respite", days=1, program=world.respite, priority=2)
    if params == "respite":
        params = {"program": world.respite.pk}
    elif params == "other-org-program":
        params = {"program": world.other_program.pk}
    client.force_login(world.coordinator)

    response = client.get(url(**params))

    assert response.status_code == 200
    assert sorted(_names(response)) == expected


def test_an_unknown_filter_value_is_shown_as_all(client, world):
    client.force_login(world.coordinator)

    page = client.get(url(language="klingon", urgency="now", program="999")).content.decode()

    assert '<option value="">All languages</option>' in page
    assert '<option value="">Any urgency</option>' in page
    assert '<option value="">All programs</option>' in page
    assert " selected" not in page


def test_a_chosen_filter_is_shown_selected_and_kept_across_pages(client, world, monkeypatch):
    monkeypatch.setattr("alongside.referrals.views.WAITLIST_PAGE_SIZE", 2)
    for n in range(5):
        _waiting(world, f"P{n}", days=n, language="es")
    client.force_login(world.coordinator)

    response = client.get(url(language="es"))

    page = response.content.decode()
    assert '<option value="es" selected>' in page
    assert response.context["page"].paginator.num_pages == 3
    assert "?language=es&amp;page=2" in page


def test_the_selection_posts_to_batch_matching(client, world):
    referral = _waiting(world, "Robin", days=3)
    client.force_login(world.coordinator)

    page = client.get(url()).content.decode()

    assert f'<form method="post" action="{reverse("matching:batch_propose")}">' in page
    assert f'name="referral" value="{referral.pk}"' in page
    assert 'aria-label="Select Robin"' in page
    assert "Propose matches for selected" in page


def test_only_coordinators_reach_it(client, world):
    assert client.get(url()).status_code == 302
    for persona in ("admin", "supervisor", "supporter", "participant_user"):
        client.force_login(getattr(world, persona))
        assert client.get(url()).status_code == 403, persona
    client.force_login(world.outsider)
    response = client.get(url())
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_a_coordinator_sees_only_the_programs_they_coordinate(client, world):
    from alongside.accounts.models import Role
    from conftest import grant, make_user

    _waiting(world, "Community", days=2)
    _waiting(world, "Respite", days=2, program=world.respite)
    narrow = make_user("nell", "Nell")
    grant(narrow, world.org, Role.COORDINATOR, programs=[world.respite])
    client.force_login(narrow)

    response = client.get(url(program=world.program.pk))

    assert _names(response) == ["Respite"]
    assert "Community Peer Support" not in response.content.decode()


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(language="en"))
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_list(client, world):
    client.force_login(world.coordinator)
    for n in range(3):
        _waiting(world, f"A{n}", days=n)
    small = _count(client)
    for n in range(40):
        _waiting(world, f"B{n}", days=n, status=Status.ACCEPTED, priority=None)
    large = _count(client)

    assert large == small
    assert small <= 15


def test_days_to_match_averages_matched_referrals(world):
    now = timezone.now()
    for days in (2, 4):
        referral = _waiting(world, f"M{days}", days=days, status=Status.MATCHED)
        Referral.objects.filter(pk=referral.pk).update(matched_at=now)
    _waiting(world, "Waiting", days=30)

    result = days_to_match(world.coordinator, world.org)

    assert result.matched == 2
    assert result.average_days == pytest.approx(3.0, abs=0.1)
    assert days_to_match(world.outsider, world.other_org).matched == 0
    assert days_to_match(world.coordinator, world.org).average_days is not None
    none = days_to_match(world.coordinator, world.org, since=timezone.localdate())
    assert none.matched == 2
    future = timezone.localdate() + datetime.timedelta(days=1)
    assert days_to_match(world.coordinator, world.org, since=future).average_days is None
