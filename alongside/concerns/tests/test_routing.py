"""Conflict-aware routing: a concern about a staff member never reaches them or their
supervisor, on any page or API endpoint, while a coordinator handles it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.accounts.models import Role
from alongside.api.services import api_token_issue
from alongside.concerns.models import Category, ConcernUrgency
from alongside.concerns.selectors import concern_handlers, concerns_visible_to
from alongside.concerns.services import concern_assign, concern_raise, concern_update
from alongside.core.errors import RuleViolation
from alongside.notifications.models import Notification
from conftest import grant, make_user

TRIAGE_PAGES = ["detail", "acknowledge", "assign", "action", "resolve", "inform"]


@pytest.fixture
def about_sunny(world):
    return concern_raise(
        organization=world.org,
        actor=world.participant_user,
        engagement=world.engagement,
        subject=world.supporter,
        category=Category.BOUNDARIES,
        urgency=ConcernUrgency.URGENT,
        description="My supporter texts me late at night.",
        wants_different_supporter=True,
    )


def _pages_answer(client, user, concern) -> dict[str, int]:
    client.force_login(user)
    answers = {}
    for name in TRIAGE_PAGES:
        url = reverse(f"concerns:{name}", kwargs={"pk": concern.pk})
        method = client.post if name == "acknowledge" else client.get
        answers[name] = method(url).status_code
    for name in ["list", "mine"]:
        page = client.get(reverse(f"concerns:{name}"))
        answers[name] = page.status_code
        answers[f"{name} shows it"] = (
            reverse("concerns:detail", args=[concern.pk]) in (page.content.decode())
            or "texts me late" in page.content.decode()
        )
    return answers


def _api_answers(client, user, concern) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {api_token_issue(user=user)}"}
    listed = client.get("/api/v1/concerns", headers=headers)
    read = client.get(f"/api/v1/concerns/{concern.pk}", headers=headers)
    ids = (
        [item["id"] for item in listed.json().get("items", [])]
        if listed.status_code == 200
        else []
    )
    return {"list": listed.status_code, "listed": concern.pk in ids, "read": read.status_code}


def test_a_concern_about_sunny_is_invisible_to_sunny_on_every_page_and_endpoint(
    client, world, about_sunny
):
    pages = _pages_answer(client, world.supporter, about_sunny)
    api = _api_answers(client, world.supporter, about_sunny)

    # Sunny may not triage at all (403), and even "mine" does not show it.
    assert {pages[name] for name in TRIAGE_PAGES} <= {403, 404}
    assert pages["list"] == 403 and pages["mine"] == 200 and not pages["mine shows it"]
    assert api == {"list": 200, "listed": False, "read": 404}
    assert not concerns_visible_to(world.supporter, world.org).filter(pk=about_sunny.pk).exists()


def test_it_is_invisible_to_sams_even_when_sam_also_coordinates(client, world, about_sunny):
    # Sam supervises Sunny; give him the coordinator role too: the conflict still wins.
    grant(world.supervisor, world.org, Role.COORDINATOR, programs=[world.program])

    pages = _pages_answer(client, world.supervisor, about_sunny)
    api = _api_answers(client, world.supervisor, about_sunny)

    assert {pages[name] for name in TRIAGE_PAGES} == {404}
    assert pages["list"] == 200 and not pages["list shows it"]
    assert not pages["mine shows it"]
    assert api == {"list": 200, "listed": False, "read": 404}


def test_sam_without_the_coordinator_role_is_refused_too(client, world, about_sunny):
    pages = _pages_answer(client, world.supervisor, about_sunny)
    api = _api_answers(client, world.supervisor, about_sunny)

    assert {pages[name] for name in TRIAGE_PAGES} == {403}
    assert api == {"list": 200, "listed": False, "read": 404}


def test_cora_sees_and_handles_it(client, world, about_sunny):
    pages = _pages_answer(client, world.coordinator, about_sunny)
    api = _api_answers(client, world.coordinator, about_sunny)

    assert pages["detail"] == 200 and pages["list shows it"]
    assert pages["assign"] == 200 and pages["resolve"] == 200
    assert api == {"list": 200, "listed": True, "read": 200}


def test_an_urgent_concern_notifies_coordinators_but_never_the_subject_or_supervisor(
    world, about_sunny
):
    notified = set(Notification.objects.values_list("user__username", flat=True))

    assert notified == {world.coordinator.username}
    notice = Notification.objects.get()
    assert "Pat" not in notice.text and "Sunny" not in notice.text
    assert notice.url == reverse("concerns:detail", args=[about_sunny.pk])


def test_it_cannot_be_assigned_to_the_subject_or_their_supervisor(world, about_sunny):
    grant(world.supervisor, world.org, Role.COORDINATOR, programs=[world.program])
    grant(world.supporter, world.org, Role.COORDINATOR, programs=[world.program])

    assert set(concern_handlers(about_sunny)) == {world.coordinator}
    for user in (world.supporter, world.supervisor):
        with pytest.raises(RuleViolation, match="not the person it is about"):
            concern_assign(concern=about_sunny, actor=world.coordinator, handler=user)
        with pytest.raises(RuleViolation, match="Someone else must handle"):
            concern_update(concern=about_sunny, actor=user, status="in_review")

    about_sunny.refresh_from_db()
    assert about_sunny.handled_by is None and about_sunny.acknowledged_at is None


def test_a_concern_about_a_coordinator_goes_to_another_coordinator(world):
    carl = make_user("carl", "Carl")
    grant(carl, world.org, Role.COORDINATOR, programs=[world.program, world.respite])

    concern = concern_raise(
        organization=world.org,
        actor=world.supporter,
        subject=world.coordinator,
        category=Category.DISCRIMINATION,
        description="Remarks in the team meeting.",
    )

    assert not concern.needs_outside_line
    assert not concerns_visible_to(world.coordinator, world.org).filter(pk=concern.pk).exists()
    assert concerns_visible_to(carl, world.org).filter(pk=concern.pk).exists()
    assert list(concern_handlers(concern)) == [carl]


def test_when_no_one_else_can_handle_it_it_is_flagged_and_admins_are_told(world):
    concern = concern_raise(
        organization=world.org,
        actor=world.supporter,
        subject=world.coordinator,
        category=Category.BOUNDARIES,
        description="Something about the coordinator.",
    )

    assert concern.needs_outside_line
    assert not concerns_visible_to(world.coordinator, world.org).filter(pk=concern.pk).exists()
    notice = Notification.objects.get()
    assert notice.user == world.admin
    assert "outside the line" in notice.text and notice.url == ""


def test_raising_a_concern_never_changes_the_engagement(world, about_sunny):
    before = {f.name: getattr(world.engagement, f.name) for f in world.engagement._meta.fields}
    world.engagement.refresh_from_db()

    after = {f.name: getattr(world.engagement, f.name) for f in world.engagement._meta.fields}
    assert after == before
    assert world.engagement.supporter == world.supporter
