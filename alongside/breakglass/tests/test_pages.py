"""The emergency access pages: who reaches them, the whole flow through HTTP, what the
access log says, and that nothing is changed through a grant."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Role
from alongside.audit.models import AccessLog
from alongside.breakglass.middleware import SESSION_KEY
from alongside.breakglass.models import EmergencyAccess, EmergencyAccessReview
from alongside.breakglass.services import emergency_access_grant
from alongside.engagements.models import State
from alongside.organizations.models import Program
from alongside.participants.models import Participant
from conftest import grant, make_user, open_engagement

from .conftest import REASON

REQUEST = reverse("breakglass:request")
REVIEWS = reverse("breakglass:reviews")


def _open(world, now=None) -> EmergencyAccess:
    return emergency_access_grant(
        actor=world.coordinator,
        organization=world.org,
        participant=world.rae,
        reason=REASON,
        now=now,
    )


def _by_name(**overrides) -> dict:
    return {
        "first_name": "rae",
        "last_name": "QUILL",
        "date_of_birth": "1990-04-02",
        "reason": REASON,
        **overrides,
    }


def _engagement_url(world) -> str:
    return reverse("engagements:detail", args=[world.rae_engagement.pk])


@pytest.mark.parametrize(
    ("persona", "get", "post"),
    [
        ("coordinator", 200, 302),
        ("outsider", 200, 400),  # their own organization's page, where Rae is nobody
        ("admin", 403, 403),
        ("supervisor", 403, 403),
        ("supporter", 403, 403),
        ("participant_user", 403, 403),
    ],
)
def test_who_reaches_the_emergency_access_page(client, world, rae, persona, get, post):
    client.force_login(getattr(world, persona))

    assert client.get(REQUEST).status_code == get
    assert client.post(REQUEST, _by_name()).status_code == post
    assert EmergencyAccess.objects.count() == (1 if persona == "coordinator" else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("crisis_coordinator", 404),  # another coordinator's grant
        ("outsider", 404),
        ("admin", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("participant_user", 403),
    ],
)
def test_only_the_coordinator_who_asked_reaches_their_grant(client, world, rae, persona, status):
    access = _open(world)
    client.force_login(getattr(world, persona))

    assert client.get(reverse("breakglass:detail", args=[access.pk])).status_code == status


def _other_admin(world):
    other_admin = make_user("otto", "Otto")
    grant(other_admin, world.other_org, Role.ADMIN)
    return other_admin


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("other_admin", 404),  # Elsewhere's admin: Riverbend's grant does not exist there
        ("coordinator", 403),
        ("outsider", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("participant_user", 403),
    ],
)
def test_who_reaches_the_review_pages(client, world, rae, persona, status):
    access = _open(world)
    user = _other_admin(world) if persona == "other_admin" else getattr(world, persona)
    client.force_login(user)

    assert client.get(REVIEWS).status_code == (200 if persona == "other_admin" else status)
    review_url = reverse("breakglass:review", args=[access.pk])
    assert client.get(review_url).status_code == status
    assert client.post(review_url, {"comment": "Fine."}).status_code in {status, 302}
    assert EmergencyAccessReview.objects.count() == (1 if persona == "admin" else 0)


def test_anonymous_people_are_sent_to_sign_in(client, world, rae):
    access = _open(world)
    for url in (
        REQUEST,
        REVIEWS,
        reverse("breakglass:detail", args=[access.pk]),
        reverse("breakglass:review", args=[access.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_coordinator_opens_a_record_reads_it_and_every_read_is_logged_with_the_reason(
    client, world, rae
):
    client.force_login(world.coordinator)
    assert client.get(_engagement_url(world)).status_code == 404

    response = client.post(REQUEST, _by_name())

    access = EmergencyAccess.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("breakglass:detail", args=[access.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert _engagement_url(world) in page.content.decode()
    record = client.get(_engagement_url(world))
    assert record.status_code == 200
    assert "Emergency access is open, read-only, until" in record.content.decode()
    assert client.get(reverse("contacts:list", args=[world.rae_engagement.pk])).status_code == 200

    rows = AccessLog.objects.filter(actor=world.coordinator, participant_ids=[rae.pk])
    assert rows.count() == 3
    assert {row.reason for row in rows} == {"Emergency access: " + REASON}


def test_by_record_number(client, world, rae):
    client.force_login(world.coordinator)

    response = client.post(REQUEST, {"record_number": rae.pk, "reason": REASON})

    assert response.status_code == 302
    assert EmergencyAccess.objects.get().participant == rae


def test_reads_of_ones_own_records_carry_no_reason(client, world, rae):
    _open(world)
    client.force_login(world.coordinator)
    own = reverse("engagements:detail", args=[world.engagement.pk])
    # The session holds no grant yet: no banner.
    assert "Emergency access is open" not in client.get(own).content.decode()
    client.get(reverse("breakglass:detail", args=[EmergencyAccess.objects.get().pk]))

    page = client.get(own)

    assert "Emergency access is open, read-only" in page.content.decode()
    rows = AccessLog.objects.filter(participant_ids=[world.participant.pk])
    assert [row.reason for row in rows] == ["", ""]


def test_nothing_is_changed_through_a_grant(client, world, rae):
    client.force_login(world.coordinator)
    client.post(REQUEST, _by_name())
    assert client.get(_engagement_url(world)).status_code == 200

    moved = client.post(
        reverse("engagements:transition", args=[world.rae_engagement.pk]),
        {"to": State.CLOSED, "reason": "Closing it through an emergency grant."},
    )
    edited = client.post(reverse("participants:edit", args=[rae.pk]), {"first_name": "Ray"})

    assert moved.status_code == 404
    assert edited.status_code == 404
    world.rae_engagement.refresh_from_db()
    rae.refresh_from_db()
    assert world.rae_engagement.state == State.ACTIVE and rae.first_name == "Rae"


def test_it_ends_on_time(client, world, rae, monkeypatch):
    client.force_login(world.coordinator)
    client.post(REQUEST, _by_name())
    assert client.get(_engagement_url(world)).status_code == 200

    later = timezone.now() + datetime.timedelta(minutes=61)

    class Later:
        """The clock of emergency access only, an hour on (sessions keep theirs)."""

        @staticmethod
        def now():
            return later

    monkeypatch.setattr("alongside.breakglass.selectors.timezone", Later)
    monkeypatch.setattr("alongside.breakglass.middleware.timezone", Later)
    assert client.get(_engagement_url(world)).status_code == 404
    assert SESSION_KEY not in client.session


def test_the_session_only_narrows_the_grant_in_the_database(client, world, rae):
    """A session claiming a grant that has ended in the database reads nothing through it."""
    _open(world, now=timezone.now() - datetime.timedelta(hours=2))
    client.force_login(world.coordinator)
    session = client.session
    until = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    session[SESSION_KEY] = {str(rae.pk): [until, "Emergency access: forged"]}
    session.save()

    assert client.get(_engagement_url(world)).status_code == 404


def test_a_grant_is_held_by_the_session_that_opened_or_resumed_it(client, world, rae):
    from django.test import Client

    client.force_login(world.coordinator)
    client.post(REQUEST, _by_name())
    access = EmergencyAccess.objects.get()
    elsewhere = Client()
    elsewhere.force_login(world.coordinator)

    assert elsewhere.get(_engagement_url(world)).status_code == 404
    assert elsewhere.get(reverse("breakglass:detail", args=[access.pk])).status_code == 200
    assert elsewhere.get(_engagement_url(world)).status_code == 200
    last = AccessLog.objects.filter(participant_ids=[rae.pk]).order_by("-id").first()
    assert last.reason == "Emergency access: " + REASON


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": REASON}, "Give the record number"),
        (_by_name(reason="help"), "at least"),
        (_by_name(date_of_birth="1990-04-03"), "No one in your organization matches"),
        (_by_name(last_name="Quil"), "No one in your organization matches"),
        ({"record_number": "abc", "reason": REASON}, "whole number"),
        ({"record_number": 10**30, "reason": REASON}, "less than or equal"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_opens_nothing(client, world, rae, data, message):
    client.force_login(world.coordinator)

    response = client.post(REQUEST, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EmergencyAccess.objects.exists()


def test_another_organizations_record_is_not_found(client, world, rae):
    client.force_login(world.coordinator)

    response = client.post(
        REQUEST, {"record_number": world.foreign_participant.pk, "reason": REASON}
    )

    assert response.status_code == 400
    assert "No one in your organization matches" in response.content.decode()


def test_two_people_with_the_same_name_and_birthday_need_the_record_number(client, world, rae):
    Participant.objects.create(
        organization=world.org,
        first_name="Rae",
        last_name="Quill",
        date_of_birth=datetime.date(1990, 4, 2),
    )
    client.force_login(world.coordinator)

    response = client.post(REQUEST, _by_name())

    assert response.status_code == 400
    assert "use the record number" in response.content.decode()


def test_a_record_in_scope_is_refused_with_a_conflict(client, world, rae):
    client.force_login(world.coordinator)

    response = client.post(REQUEST, {"record_number": world.participant.pk, "reason": REASON})

    assert response.status_code == 409
    assert "already see this record" in response.content.decode()


def _without_tokens(response) -> str:
    """The page without its hidden fields (a fresh CSRF token, the path to come back to)."""
    return re.sub(r'<input type="hidden"[^>]*>', "", response.content.decode())


def test_a_not_found_page_is_the_same_for_a_record_that_exists_and_one_that_does_not(
    client, world, rae
):
    client.force_login(world.coordinator)

    hidden = client.get(_engagement_url(world))
    missing = client.get(reverse("engagements:detail", args=[world.rae_engagement.pk + 999]))

    assert hidden.status_code == missing.status_code == 404
    assert _without_tokens(hidden) == _without_tokens(missing)
    assert REQUEST in hidden.content.decode()


def test_the_admin_reviews_from_the_list(client, world, rae):
    access = _open(world)
    client.force_login(world.admin)
    listed = client.get(REVIEWS).content.decode()
    assert "Rae Quill" in listed and REASON.replace("'", "&#x27;") in listed

    response = client.post(
        reverse("breakglass:review", args=[access.pk]), {"comment": "Called Cora; justified."}
    )

    assert response.status_code == 302
    assert EmergencyAccessReview.objects.get().comment == "Called Cora; justified."
    assert "Rae Quill" not in client.get(REVIEWS).content.decode()  # none left to review
    assert "Rae Quill" in client.get(REVIEWS + "?show=all").content.decode()
    again = client.post(reverse("breakglass:review", args=[access.pk]), {"comment": "Again"})
    assert again.status_code == 409
    empty = _open(world, now=timezone.now() - datetime.timedelta(days=1))
    blank = client.post(reverse("breakglass:review", args=[empty.pk]), {"comment": "  "})
    assert blank.status_code == 400
    assert EmergencyAccessReview.objects.count() == 1


def _grow(world, n: int) -> None:
    """n more grants, by as many coordinators, for as many participants, half reviewed."""
    program = Program.objects.create(organization=world.org, name=f"Program {n}")
    now = timezone.now()
    for i in range(n):
        coordinator = make_user(f"c{n}-{i}", f"C{i}")
        grant(coordinator, world.org, Role.COORDINATOR)
        person = Participant.objects.create(organization=world.org, first_name=f"P{n}-{i}")
        open_engagement(person, program, world.other_supporter)
        access = emergency_access_grant(
            actor=coordinator,
            organization=world.org,
            participant=person,
            reason=REASON,
            now=now - datetime.timedelta(hours=i + 1),
        )
        if i % 2:
            from alongside.breakglass.services import emergency_access_review

            emergency_access_review(access=access, actor=world.admin, comment="Checked.")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [REVIEWS, REVIEWS + "?show=all"])
def test_the_review_list_asks_the_same_number_of_questions_whatever_its_length(
    client, world, rae, url
):
    client.force_login(world.admin)
    _grow(world, 2)
    small = _count(client, url)
    _grow(world, 12)
    large = _count(client, url)

    assert large <= small <= 16


def test_the_coordinators_page_asks_the_same_number_of_questions(client, world, rae):
    client.force_login(world.coordinator)
    _open(world, now=timezone.now() - datetime.timedelta(days=3))
    small = _count(client, REQUEST)
    for days in range(4, 14):
        _open(world, now=timezone.now() - datetime.timedelta(days=days))
    large = _count(client, REQUEST)

    assert large <= small <= 16


def test_a_held_grant_adds_no_query_to_the_caseload(client, world, rae):
    """The grant joins the scope as a subquery: the caseload asks as many questions with a
    grant held as without, and lists Rae only with it."""
    client.force_login(world.coordinator)
    caseload = reverse("engagements:list")
    without = _count(client, caseload)
    assert "Rae Quill" not in client.get(caseload).content.decode()

    client.post(REQUEST, _by_name())

    assert _count(client, caseload) == without
    assert "Rae Quill" in client.get(caseload).content.decode()


def test_a_token_without_a_session_never_reads_through_a_grant(client, world, rae):
    from alongside.api.services import api_token_issue

    client.force_login(world.coordinator)
    client.post(REQUEST, _by_name())
    token = api_token_issue(user=world.coordinator, scopes=["read"])
    api = type(client)()

    response = api.get(
        f"/api/v1/participants/{rae.pk}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 404


def test_an_ended_grant_page_says_so_and_opens_nothing(client, world, rae):
    access = _open(world, now=timezone.now() - datetime.timedelta(hours=2))
    client.force_login(world.coordinator)

    page = client.get(reverse("breakglass:detail", args=[access.pk]))

    assert page.status_code == 200
    assert "This emergency access ended" in page.content.decode()
    assert _engagement_url(world) not in page.content.decode()
    assert SESSION_KEY not in client.session
    assert AccessLog.objects.get(participant_ids=[rae.pk]).reason == ""
