"""Acknowledge, assign, record actions, resolve, inform; times; the pages that do it."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.concerns import views
from alongside.concerns.models import Category, Concern, ConcernAction, ConcernStatus
from alongside.concerns.selectors import concern_triage_list
from alongside.concerns.services import (
    concern_acknowledge,
    concern_action_record,
    concern_assign,
    concern_inform,
    concern_raise,
    concern_resolve,
)
from alongside.core.errors import RuleViolation


@pytest.fixture
def concern(world) -> Concern:
    return concern_raise(
        organization=world.org,
        actor=world.participant_user,
        engagement=world.engagement,
        category=Category.SERVICE,
        description="Meetings keep being moved.",
    )


def test_acknowledging_records_who_and_when_once(world, concern):
    concern_acknowledge(concern=concern, actor=world.coordinator)

    concern.refresh_from_db()
    assert concern.acknowledged_by == world.coordinator
    assert concern.acknowledged_at is not None
    assert concern.status == ConcernStatus.IN_REVIEW
    with pytest.raises(RuleViolation, match="already acknowledged"):
        concern_acknowledge(concern=concern, actor=world.coordinator)


def test_the_handling_is_a_log_of_who_did_what_when(world, concern):
    concern_assign(concern=concern, actor=world.coordinator, handler=world.coordinator)
    concern_action_record(concern=concern, actor=world.coordinator, text="  Called Sunny.  ")
    concern_resolve(concern=concern, actor=world.coordinator, resolution="Fixed meeting day.")
    concern_inform(concern=concern, actor=world.coordinator, how="phone")

    kinds = list(concern.actions.values_list("kind", flat=True))
    assert kinds == ["acknowledged", "assigned", "action", "resolved", "informed"]
    assert concern.actions.get(kind="action").text == "Called Sunny."
    assert set(concern.actions.values_list("actor", flat=True)) == {world.coordinator.pk}
    concern.refresh_from_db()
    assert concern.handled_by == world.coordinator
    assert concern.status == ConcernStatus.RESOLVED and concern.informed_how == "phone"
    assert AuditEvent.objects.filter(action="concern.informed").count() == 1


def test_an_empty_action_is_refused_and_saves_nothing(world, concern):
    with pytest.raises(RuleViolation, match="Say what was done"):
        concern_action_record(concern=concern, actor=world.coordinator, text="   ")

    assert not ConcernAction.objects.exists()


def test_nobody_can_be_informed_when_they_left_no_way_to_reach_them(world):
    anonymous = concern_raise(
        organization=world.org, actor=None, category=Category.OTHER, description="Rude staff."
    )

    with pytest.raises(RuleViolation, match="no way to reach them"):
        concern_inform(concern=anonymous, actor=world.coordinator, how="email")
    anonymous.refresh_from_db()
    assert anonymous.informed_at is None


def test_time_to_acknowledge_and_to_resolve_are_computed(world, concern):
    start = timezone.now() - datetime.timedelta(days=3)
    Concern.objects.filter(pk=concern.pk).update(
        created_at=start,
        acknowledged_at=start + datetime.timedelta(hours=5),
        resolved_at=start + datetime.timedelta(days=2),
        status=ConcernStatus.RESOLVED,
    )

    row = concern_triage_list(world.coordinator, world.org, status="resolved").get()

    assert row.time_to_acknowledge == datetime.timedelta(hours=5)
    assert row.time_to_resolve == datetime.timedelta(days=2)


def test_the_list_shows_the_times_and_the_different_supporter_flag(client, world, concern):
    Concern.objects.filter(pk=concern.pk).update(
        acknowledged_at=concern.created_at + datetime.timedelta(hours=3),
        wants_different_supporter=True,
    )
    client.force_login(world.coordinator)

    page = client.get(reverse("concerns:list")).content.decode()

    assert "3 h" in page and "Asks for a different supporter" in page


def test_the_list_needs_the_same_queries_for_1_or_10_concerns(
    client, world, concern, django_assert_max_num_queries
):
    client.force_login(world.coordinator)
    client.get(reverse("concerns:list"))
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("concerns:list"))
    for n in range(9):
        concern_raise(
            organization=world.org,
            actor=world.supporter,
            subject=world.other_supporter,
            category=Category.OTHER,
            description=f"Concern {n}",
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("concerns:list"))
    assert response.content.decode().count("<tr>") == 11  # the header and ten rows


def test_the_detail_links_a_wish_for_another_supporter_to_the_rematch_page(client, world):
    concern = concern_raise(
        organization=world.org,
        actor=world.participant_user,
        engagement=world.engagement,
        category=Category.BOUNDARIES,
        description="I would rather work with someone else.",
        wants_different_supporter=True,
    )
    client.force_login(world.coordinator)

    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()

    assert reverse("matching:change_supporter", args=[world.engagement.pk]) in page


def test_pages_acknowledge_assign_act_resolve_and_inform(client, world, concern):
    client.force_login(world.coordinator)
    pk = concern.pk

    assert client.post(reverse("concerns:acknowledge", args=[pk])).status_code == 302
    assert client.post(reverse("concerns:acknowledge", args=[pk])).status_code == 409
    assert (
        client.post(
            reverse("concerns:assign", args=[pk]), {"handler": world.coordinator.pk}
        ).status_code
        == 302
    )
    assert (
        client.post(reverse("concerns:action", args=[pk]), {"text": "Spoke to Sunny"}).status_code
        == 302
    )
    assert (
        client.post(reverse("concerns:resolve", args=[pk]), {"resolution": ""}).status_code == 400
    )
    assert (
        client.post(reverse("concerns:resolve", args=[pk]), {"resolution": "Done"}).status_code
        == 302
    )
    assert client.post(reverse("concerns:inform", args=[pk]), {"how": "in_app"}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESOLVED and concern.informed_how == "in_app"


def test_assigning_someone_not_offered_is_refused_with_400(client, world, concern):
    client.force_login(world.coordinator)

    response = client.post(reverse("concerns:assign", args=[concern.pk]), {"handler": "99999"})

    assert response.status_code == 400
    concern.refresh_from_db()
    assert concern.handled_by is None


# raising, signed in ---------------------------------------------------------------------


def test_the_participants_form_says_support_continues_and_offers_a_different_supporter(
    client, world
):
    client.force_login(world.participant_user)

    page = client.get(reverse("concerns:create")).content.decode()

    assert "never costs you your support" in page
    assert "I would like a different peer supporter" in page
    assert "My peer supporter" in page


def test_a_participant_raises_a_concern_about_their_supporter(client, world):
    client.force_login(world.participant_user)

    response = client.post(
        reverse("concerns:create"),
        {
            "category": "boundaries",
            "urgency": "normal",
            "description": "Late texts.",
            "about": "my_supporter",
            "wants_different_supporter": "on",
        },
    )

    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.subject_user == world.supporter
    assert concern.wants_different_supporter and concern.raised_through == "portal"
    world.engagement.refresh_from_db()
    assert world.engagement.supporter == world.supporter  # support continues


def test_staff_raise_a_general_concern_and_follow_its_status(client, world):
    client.force_login(world.other_supporter)

    response = client.post(
        reverse("concerns:create"),
        {"category": "safety", "urgency": "normal", "description": "Door lock broken."},
    )

    assert response.status_code == 302 and response["Location"] == reverse("concerns:mine")
    page = client.get(reverse("concerns:mine")).content.decode()
    assert "Safety" in page and "Open" in page


def test_staff_raise_a_concern_about_an_engagement_they_see(client, world):
    client.force_login(world.supporter)
    url = reverse("concerns:create") + f"?engagement={world.engagement.pk}"

    client.post(url, {"category": "safety", "urgency": "urgent", "description": "Worried."})

    assert Concern.objects.get().engagement == world.engagement
    other = reverse("concerns:create") + f"?engagement={world.foreign_engagement.pk}"
    assert client.get(other).status_code == 404


def test_a_staff_member_cannot_raise_a_concern_about_themselves(world):
    with pytest.raises(RuleViolation, match="about someone else"):
        concern_raise(
            organization=world.org,
            actor=world.supporter,
            subject=world.supporter,
            category=Category.OTHER,
            description="Me",
        )
    assert not Concern.objects.exists()


def test_an_unknown_staff_choice_is_refused_with_400(client, world):
    client.force_login(world.supporter)

    response = client.post(
        reverse("concerns:create"),
        {"category": "other", "urgency": "normal", "description": "x", "about": "424242"},
    )

    assert response.status_code == 400
    assert not Concern.objects.exists()


# the public page ------------------------------------------------------------------------


def public(world) -> str:
    return reverse("concerns:public", kwargs={"slug": world.org.slug})


def test_anyone_can_raise_a_concern_without_signing_in(client, world):
    assert client.get(public(world)).status_code == 200

    response = client.post(
        public(world),
        {
            "category": "discrimination",
            "urgency": "normal",
            "description": "I was turned away at the drop-in.",
            "subject_text": "the front desk",
            "contact_phone": "555-0100",
            "website": "",
        },
    )

    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.raised_by is None and concern.raised_through == "public"
    assert concern.subject_text == "the front desk" and concern.reachable


def test_anonymous_is_allowed_and_not_reachable(client, world):
    client.post(public(world), {"category": "other", "urgency": "normal", "description": "x"})

    assert not Concern.objects.get().reachable


def test_the_public_page_refuses_bad_input_with_400_and_saves_nothing(client, world):
    response = client.post(
        public(world),
        {"category": "gossip", "urgency": "never", "description": "", "contact_email": "no"},
    )

    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, world):
    response = client.post(public(world), {"website": "spam", "description": "x" * 20000})

    assert response.status_code == 302
    assert not Concern.objects.exists()


def test_flooding_from_one_address_is_refused_with_429(client, world):
    cache.clear()
    body = {"category": "other", "urgency": "normal", "description": "again"}
    for _ in range(views.CONCERNS_PER_ADDRESS[0]):
        assert client.post(public(world), body).status_code == 302

    response = client.post(public(world), body)

    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert Concern.objects.count() == views.CONCERNS_PER_ADDRESS[0]


def test_an_oversized_body_is_refused_with_413(client, world):
    response = client.post(public(world), {"description": "x" * (views.BODY_LIMIT_BYTES + 10)})

    assert response.status_code == 413
    assert not Concern.objects.exists()


def test_an_unknown_organization_is_not_found(client, world):
    response = client.get(reverse("concerns:public", kwargs={"slug": "nowhere"}))

    assert response.status_code == 404


def test_an_urgent_public_concern_notifies_coordinators(client, world):
    client.post(public(world), {"category": "safety", "urgency": "urgent", "description": "x"})

    from alongside.notifications.models import Notification

    assert list(Notification.objects.values_list("user", flat=True)) == [world.coordinator.pk]
