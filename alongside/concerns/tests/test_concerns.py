"""Raising a cause for concern and handling it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.concerns.models import Category, Concern, ConcernStatus, ConcernUrgency
from alongside.concerns.services import concern_raise, concern_update
from alongside.core.errors import RuleViolation


@pytest.fixture
def concern(world) -> Concern:
    return concern_raise(
        organization=world.org,
        actor=world.participant_user,
        category=Category.BOUNDARIES,
        description="  My supporter texts me late at night.  ",
        urgency=ConcernUrgency.URGENT,
        engagement=world.engagement,
    )


def test_anyone_can_raise_a_concern_about_an_engagement(world, concern):
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN
    assert concern.raised_by == world.participant_user
    assert concern.engagement == world.engagement
    assert concern.description == "My supporter texts me late at night."
    assert concern.handled_by is None
    assert concern.history.first().history_user == world.participant_user
    event = AuditEvent.objects.get(action="concern.raised", object_id=str(concern.pk))
    assert event.data == {"category": "boundaries", "urgency": "urgent"}


def test_a_concern_need_not_be_about_an_engagement(world):
    raised = concern_raise(
        organization=world.org,
        actor=world.supporter,
        category=Category.SAFETY,
        description="The meeting room door does not lock.",
    )

    assert raised.engagement is None
    assert raised.urgency == ConcernUrgency.NORMAL


def test_it_refuses_an_engagement_of_another_organization(world):
    with pytest.raises(RuleViolation, match="another organization"):
        concern_raise(
            organization=world.org,
            actor=world.supporter,
            category=Category.OTHER,
            description="Something",
            engagement=world.foreign_engagement,
        )

    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("category", {"category": "gossip"}),
        ("urgency", {"urgency": "whenever"}),
        ("description", {"description": "   "}),
    ],
)
def test_it_refuses_invalid_input_and_saves_nothing(world, field, overrides):
    arguments = {
        "organization": world.org,
        "actor": world.supporter,
        "category": Category.SERVICE,
        "description": "Meetings keep being cancelled.",
        **overrides,
    }

    with pytest.raises(ValidationError) as refused:
        concern_raise(**arguments)

    assert field in refused.value.message_dict
    assert not Concern.objects.exists()
    assert not AuditEvent.objects.filter(action="concern.raised").exists()


def test_a_coordinator_takes_a_concern_into_review(world, concern):
    concern_update(
        concern=concern, actor=world.coordinator, status=ConcernStatus.IN_REVIEW, resolution=""
    )

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.IN_REVIEW
    assert concern.handled_by == world.coordinator
    assert concern.resolved_at is None
    assert AuditEvent.objects.filter(
        action="concern.in_review", object_id=str(concern.pk)
    ).exists()


def test_resolving_needs_resolution_text(world, concern):
    for blank in ("", "   "):
        with pytest.raises(RuleViolation, match="Say what was done"):
            concern_update(
                concern=concern,
                actor=world.coordinator,
                status=ConcernStatus.RESOLVED,
                resolution=blank,
            )

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN
    assert concern.resolved_at is None
    assert concern.handled_by is None


def test_resolving_with_resolution_text_records_when_and_by_whom(world, concern):
    concern_update(
        concern=concern,
        actor=world.coordinator,
        status=ConcernStatus.RESOLVED,
        resolution="  Agreed contact hours with Sunny; reviewed in supervision.  ",
    )

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESOLVED
    assert concern.resolution == "Agreed contact hours with Sunny; reviewed in supervision."
    assert concern.handled_by == world.coordinator
    assert concern.resolved_at is not None
    assert concern.history.first().history_user == world.coordinator
    assert AuditEvent.objects.filter(action="concern.resolved", object_id=str(concern.pk)).exists()


def test_reopening_a_resolved_concern_clears_when_it_was_resolved(world, concern):
    concern_update(
        concern=concern, actor=world.coordinator, status=ConcernStatus.RESOLVED, resolution="Done"
    )

    concern_update(
        concern=concern, actor=world.coordinator, status=ConcernStatus.IN_REVIEW, resolution="More"
    )

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.IN_REVIEW
    assert concern.resolved_at is None


def test_it_refuses_an_unknown_status(world, concern):
    with pytest.raises(RuleViolation, match="Choose a status"):
        concern_update(concern=concern, actor=world.coordinator, status="forgotten")

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN
