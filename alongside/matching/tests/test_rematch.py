"""Changing the peer supporter of an engagement keeps who supported when, and why."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import Engagement, State
from alongside.matching.services import (
    conflict_declare,
    engagement_change_supporter,
    engagement_suggestions,
    match_confirm,
)
from alongside.matching.tests.factories import referral
from alongside.notifications.models import Notification


def _matched_with_sunny(world, **wishes) -> Engagement:
    return match_confirm(
        referral=referral(world, **wishes), supporter=world.supporter, actor=world.coordinator
    )


def test_a_supporter_change_keeps_the_history_of_who_supported_when_and_why(world):
    engagement = _matched_with_sunny(world)
    version = engagement.version

    changed = engagement_change_supporter(
        engagement=engagement,
        supporter=world.other_supporter,
        actor=world.coordinator,
        reason="Sunny moves to the respite house.",
    )

    changed.refresh_from_db()
    assert changed.supporter == world.other_supporter
    assert changed.version == version + 1
    assert engagement.supporter == world.other_supporter  # the caller's copy follows
    history = list(changed.assignments.values_list("supporter", "ended_on", "reason"))
    assert history == [
        (world.supporter.pk, timezone.localdate(), "Matched"),
        (world.other_supporter.pk, None, "Sunny moves to the respite house."),
    ]
    event = AuditEvent.objects.get(action="engagement.supporter_changed")
    assert event.data == {
        "from": world.supporter.pk,
        "to": world.other_supporter.pk,
        "reason": "Sunny moves to the respite house.",
    }


def test_the_new_supporter_is_told_without_the_participants_name(world):
    engagement = _matched_with_sunny(world)

    engagement_change_supporter(
        engagement=engagement,
        supporter=world.other_supporter,
        actor=world.coordinator,
        reason="A better fit.",
    )

    notice = Notification.objects.get(user=world.other_supporter)
    assert notice.url == reverse("engagements:detail", args=[engagement.pk])
    assert "Robin" not in notice.text and "Vale" not in notice.text


def test_a_change_needs_a_reason(world):
    engagement = _matched_with_sunny(world)

    with pytest.raises(RuleViolation, match="Say why"):
        engagement_change_supporter(
            engagement=engagement,
            supporter=world.other_supporter,
            actor=world.coordinator,
            reason=" ",
        )


def test_a_closed_engagement_keeps_its_supporter(world):
    engagement = _matched_with_sunny(world)
    Engagement.objects.filter(pk=engagement.pk).update(state=State.CLOSED)

    with pytest.raises(RuleViolation, match="closed"):
        engagement_change_supporter(
            engagement=engagement,
            supporter=world.other_supporter,
            actor=world.coordinator,
            reason="Too late.",
        )


def test_an_ineligible_supporter_is_refused_and_nothing_changes(world):
    engagement = _matched_with_sunny(world)
    conflict_declare(
        profile=world.other_profile, participant=engagement.participant, actor=world.coordinator
    )

    with pytest.raises(RuleViolation, match="declared conflict"):
        engagement_change_supporter(
            engagement=engagement,
            supporter=world.other_supporter,
            actor=world.coordinator,
            reason="Try Omar.",
        )

    engagement.refresh_from_db()
    assert engagement.supporter == world.supporter
    assert engagement.assignments.count() == 1
    assert not AuditEvent.objects.filter(action="engagement.supporter_changed").exists()


def test_the_wishes_recorded_at_the_referral_still_bind(world):
    engagement = _matched_with_sunny(world, preferred_language="es", language_required=True)

    with pytest.raises(RuleViolation, match="no shared language"):
        engagement_change_supporter(
            engagement=engagement,
            supporter=world.other_supporter,
            actor=world.coordinator,
            reason="Try Omar.",
        )


def test_the_engagement_brings_the_load_of_its_own_tier(world):
    engagement = _matched_with_sunny(world)
    Engagement.objects.filter(pk=engagement.pk).update(tier=3)
    engagement.refresh_from_db()
    world.other_profile.capacity = 2  # Omar has 1.5 already: room for 0.5, a Tier 3 load
    world.other_profile.save()

    engagement_change_supporter(
        engagement=engagement,
        supporter=world.other_supporter,
        actor=world.coordinator,
        reason="Tier 3 now; Omar can see them out.",
    )

    engagement.refresh_from_db()
    assert engagement.supporter == world.other_supporter


def test_a_full_caseload_is_refused(world):
    engagement = _matched_with_sunny(world)
    world.other_profile.capacity = 2
    world.other_profile.save()

    with pytest.raises(RuleViolation, match="at capacity"):
        engagement_change_supporter(
            engagement=engagement,
            supporter=world.other_supporter,
            actor=world.coordinator,
            reason="Try Omar.",
        )


def test_the_current_supporter_is_not_a_change(world):
    engagement = _matched_with_sunny(world)

    with pytest.raises(RuleViolation, match="already supports"):
        engagement_change_supporter(
            engagement=engagement,
            supporter=world.supporter,
            actor=world.coordinator,
            reason="Same.",
        )


def test_a_change_made_on_a_stale_copy_is_refused(world):
    engagement = _matched_with_sunny(world)
    stale = Engagement.objects.get(pk=engagement.pk)
    engagement_change_supporter(
        engagement=engagement,
        supporter=world.other_supporter,
        actor=world.coordinator,
        reason="Omar.",
    )

    with pytest.raises(StaleEdit):
        engagement_change_supporter(
            engagement=stale, supporter=world.supporter, actor=world.coordinator, reason="Back."
        )


def test_who_could_take_over_leaves_out_the_current_supporter(world):
    engagement = _matched_with_sunny(world)

    suggestions = engagement_suggestions(engagement)

    assert [s.profile for s in suggestions] == [world.other_profile]
    assert suggestions[0].eligible
