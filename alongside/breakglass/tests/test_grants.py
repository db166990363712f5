"""The rules of emergency access, in the domain layer: who may break the glass, for whom,
why, for how long, and that it widens reading only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alongside.accounts.models import Role
from alongside.audit.models import AppendOnlyError, AuditEvent
from alongside.breakglass.models import EmergencyAccess, EmergencyAccessReview
from alongside.breakglass.selectors import grants_for_participant
from alongside.breakglass.services import (
    MIN_REASON_LENGTH,
    emergency_access_grant,
    emergency_access_review,
)
from alongside.core.errors import RuleViolation
from alongside.core.permissions import (
    emergency_reads,
    engagements_visible_to,
    participants_changeable_by,
    participants_visible_to,
)
from alongside.notifications.models import Notification
from conftest import grant, make_user

from .conftest import REASON


def _open(world, who=None, participant=None, reason=REASON, now=None, organization=None):
    return emergency_access_grant(
        actor=who or world.coordinator,
        organization=organization or world.org,
        participant=participant or world.rae,
        reason=reason,
        now=now,
    )


def _sees(user, world, participant) -> bool:
    with emergency_reads():
        return participants_visible_to(user, world.org).filter(pk=participant.pk).exists()


def test_a_coordinator_opens_a_record_outside_their_programs_for_an_hour(world, rae):
    assert not _sees(world.coordinator, world, rae)

    access = _open(world)

    assert access.expires_at - access.granted_at == datetime.timedelta(minutes=60)
    assert access.log_reason == "Emergency access: " + REASON
    assert _sees(world.coordinator, world, rae)
    with emergency_reads():
        visible = engagements_visible_to(world.coordinator, world.org)
        assert visible.filter(pk=world.rae_engagement.pk).exists()


def test_how_long_is_a_setting(world, rae, settings):
    settings.ALONGSIDE_EMERGENCY_ACCESS_MINUTES = 15

    access = _open(world)

    assert access.expires_at - access.granted_at == datetime.timedelta(minutes=15)


@pytest.mark.parametrize("reason", ["", "   ", "emergency", "x" * (MIN_REASON_LENGTH - 1)])
def test_a_reason_is_required_and_must_say_something(world, rae, reason):
    with pytest.raises(RuleViolation, match="at least"):
        _open(world, reason=reason)

    assert not EmergencyAccess.objects.exists()


@pytest.mark.parametrize("persona", ["supporter", "supervisor", "admin", "participant_user"])
def test_only_coordinators_break_the_glass(world, rae, persona):
    with pytest.raises(RuleViolation, match="Only a coordinator"):
        _open(world, who=getattr(world, persona))

    assert not EmergencyAccess.objects.exists()


def test_never_across_organizations(world, rae):
    # Olga coordinates Elsewhere: not in Riverbend, and Riverbend's record is not Elsewhere's.
    with pytest.raises(RuleViolation):
        _open(world, who=world.outsider)
    with pytest.raises(RuleViolation, match="your organization"):
        _open(world, who=world.outsider, organization=world.other_org)
    # Cora, in her own organization, still cannot reach Elsewhere's participant.
    with pytest.raises(RuleViolation, match="your organization"):
        _open(world, participant=world.foreign_participant)

    assert not EmergencyAccess.objects.exists()


def test_a_record_already_in_scope_needs_no_emergency_access(world, rae):
    with pytest.raises(RuleViolation, match="already see"):
        _open(world, participant=world.participant)


def test_one_open_grant_per_record_and_a_new_one_after_it_ends(world, rae):
    _open(world)
    with pytest.raises(RuleViolation, match="already have emergency access"):
        _open(world)

    _open(world, now=timezone.now() - datetime.timedelta(hours=3))  # one that has ended
    assert EmergencyAccess.objects.count() == 2


def test_it_ends_on_time(world, rae):
    _open(world, now=timezone.now() - datetime.timedelta(minutes=61))

    assert not _sees(world.coordinator, world, rae)


def test_it_widens_reading_only_never_changing(world, rae):
    _open(world)

    assert _sees(world.coordinator, world, rae)
    with emergency_reads():
        changeable = participants_changeable_by(world.coordinator, world.org)
        assert not changeable.filter(pk=rae.pk).exists()
    # Outside emergency reads (writes, the API, tasks) the scope is as without grants.
    assert not participants_visible_to(world.coordinator, world.org).filter(pk=rae.pk).exists()
    visible = engagements_visible_to(world.coordinator, world.org)
    assert not visible.filter(pk=world.rae_engagement.pk).exists()


def test_a_grant_is_only_for_the_coordinator_who_asked(world, rae):
    _open(world)
    colleague = make_user("cole", "Cole")
    grant(colleague, world.org, Role.COORDINATOR, programs=[world.program])

    assert not _sees(colleague, world, rae)
    assert not _sees(world.supporter, world, rae)


def test_a_coordinator_who_lost_the_role_loses_the_grant(world, rae):
    _open(world)
    world.coordinator.memberships.filter(role=Role.COORDINATOR).delete()
    world.coordinator.__dict__.pop("_alongside_roles", None)

    assert not _sees(world.coordinator, world, rae)


def test_it_is_audited_and_the_admins_are_told_without_naming_the_participant(world, rae):
    access = _open(world)

    event = AuditEvent.objects.get(action="emergency_access.granted")
    assert event.actor == world.coordinator
    assert event.data["participant"] == rae.pk and event.data["reason"] == REASON
    notice = Notification.objects.get(user=world.admin)
    assert "Rae" not in notice.text and "Quill" not in notice.text
    assert notice.url.endswith(f"/emergency-access/reviews/{access.pk}/")


def test_each_admin_is_told_in_their_own_language(world, rae):
    world.admin.preferred_language = "es"
    world.admin.save(update_fields=["preferred_language"])
    _open(world)

    notice = Notification.objects.get(user=world.admin)
    assert "abrió un expediente por una emergencia" in notice.text


def test_nobody_deletes_or_changes_a_grant(world, rae):
    access = _open(world)

    with pytest.raises(AppendOnlyError):
        access.delete()
    with pytest.raises(AppendOnlyError):
        EmergencyAccess.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        EmergencyAccess.objects.update(expires_at=timezone.now() + datetime.timedelta(days=9))
    access.reason = "something else entirely, said later"
    with pytest.raises(AppendOnlyError):
        access.save()


def test_an_admin_reviews_it_once_with_a_comment(world, rae):
    access = _open(world)

    review = emergency_access_review(access=access, actor=world.admin, comment="Called Cora.")

    assert review.reviewer == world.admin
    assert AuditEvent.objects.filter(action="emergency_access.reviewed").count() == 1
    with pytest.raises(RuleViolation, match="already been reviewed"):
        emergency_access_review(access=access, actor=world.admin, comment="Again.")
    with pytest.raises(AppendOnlyError):
        review.delete()


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_review_needs_a_comment(world, rae, comment):
    access = _open(world)

    with pytest.raises(RuleViolation, match="comment"):
        emergency_access_review(access=access, actor=world.admin, comment=comment)
    assert not EmergencyAccessReview.objects.exists()


def test_only_an_admin_reviews_and_never_their_own(world, rae):
    access = _open(world)
    with pytest.raises(RuleViolation, match="Only an admin"):
        emergency_access_review(access=access, actor=world.coordinator, comment="Fine.")

    grant(world.coordinator, world.org, Role.ADMIN)
    world.coordinator.__dict__.pop("_alongside_roles", None)
    with pytest.raises(RuleViolation, match="Someone else"):
        emergency_access_review(access=access, actor=world.coordinator, comment="Fine.")
    assert not EmergencyAccessReview.objects.exists()


def test_the_participants_own_list_of_openings(world, rae):
    earlier = _open(world, now=timezone.now() - datetime.timedelta(days=2))
    later = _open(world)
    emergency_access_review(access=earlier, actor=world.admin, comment="Justified.")

    assert list(grants_for_participant(rae)) == [later, earlier]
    assert list(grants_for_participant(world.participant)) == []
