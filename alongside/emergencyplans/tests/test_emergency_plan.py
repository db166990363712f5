"""The emergency plan: versions, stale edits, bad input, and the activation gate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.emergencyplans.models import EmergencyPlan, EmergencyPlanVersion
from alongside.emergencyplans.selectors import differences, engagement_section, plan_for
from alongside.emergencyplans.services import emergency_plan_save
from alongside.engagements.models import State
from alongside.engagements.services import engagement_transition, missing_for_activation
from alongside.engagements.testing import conversations_and_worksheet
from alongside.participants.models import Participant
from conftest import open_engagement

LINE = {"name": "988 Suicide & Crisis Lifeline", "phone": "988"}


def _save(world, based_on=0, actor=None, **content):
    content.setdefault("warning_signs", "Stops answering the phone.")
    content.setdefault("crisis_lines", [LINE])
    return emergency_plan_save(
        participant=world.participant,
        actor=actor or world.supporter,
        based_on=based_on,
        engagement=world.engagement,
        **content,
    )


def test_the_first_save_makes_version_one_with_who_and_when(world):
    version = _save(
        world,
        helps="  A walk outside.  ",
        contacts=[{"name": "Maria", "relationship": "sister", "phone": "555-0101"}],
    )

    plan = plan_for(world.participant.pk)
    assert plan.current == version
    assert (plan.version, version.number) == (1, 1)
    assert version.saved_by == world.supporter
    assert version.saved_at <= timezone.now()
    assert version.helps == "A walk outside."
    assert version.contacts == [
        {"name": "Maria", "relationship": "sister", "phone": "555-0101", "outside_team": False}
    ]
    assert set(version.changed) == {"warning_signs", "helps", "contacts", "crisis_lines"}
    event = AuditEvent.objects.get(action="emergency_plan.saved")
    assert event.data["version"] == 1
    assert event.data["engagement"] == world.engagement.pk


def test_every_save_adds_a_version_and_keeps_the_old_ones_as_they_were(world):
    first = _save(world)
    second = _save(world, based_on=1, actor=world.participant_user, helps="Music.")

    assert second.number == 2
    assert second.saved_by == world.participant_user
    assert second.changed == ["helps"]
    first.refresh_from_db()
    assert first.helps == ""
    assert EmergencyPlanVersion.objects.filter(plan__participant=world.participant).count() == 2
    assert [row["after"] for row in differences(first, second)] == ["Music."]
    assert AuditEvent.objects.filter(action="emergency_plan.saved").count() == 2


def test_a_version_cannot_be_changed_once_saved(world):
    version = _save(world)
    version.helps = "Rewritten history"

    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_an_edit_based_on_an_older_version_is_refused_and_nothing_changes(world):
    _save(world)
    _save(world, based_on=1, helps="Music.")
    events = AuditEvent.objects.count()

    with pytest.raises(StaleEdit, match="Someone else changed this emergency plan"):
        _save(world, based_on=1, helps="Quiet.")

    plan = plan_for(world.participant.pk)
    assert plan.version == 2
    assert plan.current.helps == "Music."
    assert AuditEvent.objects.count() == events


def test_a_second_first_version_is_refused_as_stale(world):
    _save(world)

    with pytest.raises(StaleEdit):
        _save(world, based_on=0, helps="I started mine before I saw yours.")

    assert plan_for(world.participant.pk).version == 1


def test_saving_without_a_change_adds_no_version(world):
    _save(world)

    again = _save(world, based_on=1)

    assert again.number == 1
    assert AuditEvent.objects.filter(action="emergency_plan.saved").count() == 1


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({"warning_signs": "   "}, "warning_signs"),
        ({"contacts": [{"name": "Maria", "phone": ""}]}, "contacts"),
        ({"crisis_lines": [{"name": "", "phone": "555-0100"}]}, "crisis_lines"),
        ({"crisis_lines": [], "contacts": []}, "contacts"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, content, field):
    with pytest.raises(ValidationError) as refused:
        _save(world, **content)

    assert field in refused.value.message_dict
    assert not EmergencyPlan.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="emergency_plan").exists()


def test_staff_cannot_edit_through_a_closed_engagement(world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    with pytest.raises(RuleViolation, match="closed"):
        _save(world)

    assert not EmergencyPlan.objects.exists()


def test_activation_is_refused_without_a_plan_naming_it(world):
    engagement = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    conversations_and_worksheet(engagement, world.supporter)

    with pytest.raises(RuleViolation) as refused:
        engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)

    assert refused.value.missing == ["Emergency plan"]
    assert "Emergency plan" in refused.value.message
    engagement.refresh_from_db()
    assert engagement.state == State.ONBOARDING


def test_activation_is_allowed_with_a_plan(world):
    engagement = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    conversations_and_worksheet(engagement, world.supporter)
    _save(world)

    engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)

    engagement.refresh_from_db()
    assert engagement.state == State.ACTIVE


def test_the_plan_is_the_participants_and_counts_for_each_of_their_engagements(world):
    _save(world)  # written during the community engagement
    respite = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    someone_else = Participant.objects.create(organization=world.org, first_name="Nia")
    theirs = open_engagement(someone_else, world.respite, world.supporter, "onboarding")
    for engagement in (respite, theirs):
        conversations_and_worksheet(engagement, world.supporter)

    assert missing_for_activation(respite) == []
    assert missing_for_activation(theirs) == ["Emergency plan"]


def test_the_engagement_section_takes_one_query(world, django_assert_num_queries):
    _save(world)

    with django_assert_num_queries(1):
        section = engagement_section(world.engagement)
        assert section["emergency_plan_current"].saved_by == world.supporter

    with django_assert_num_queries(1):
        assert engagement_section(world.other_engagement)["emergency_plan"] is None
