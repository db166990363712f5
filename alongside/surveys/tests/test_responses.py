"""Responses through the domain functions: drafts saved as they go, completion scores them,
and bad input is refused with a message and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.surveys.models import InstrumentVersion, Response
from alongside.surveys.selectors import engagement_scores, responses_visible_to
from alongside.surveys.services import (
    response_complete,
    response_record,
    response_save,
    response_start,
)
from alongside.surveys.testing import WHO5_ANSWERS, installed


@pytest.fixture
def who5(world):
    return installed("who-5")


def a_draft(world, who5, **answers) -> Response:
    return response_start(
        engagement=world.engagement,
        version=who5,
        actor=world.supporter,
        method="with_supporter",
        answers=answers,
    )


def test_a_draft_is_saved_as_it_goes_and_completed_with_its_score(world, who5):
    draft = a_draft(world, who5)
    draft = response_save(
        response=draft, actor=world.supporter, answers={"1": 3, "2": 2}, expected_version=1
    )
    draft = response_save(
        response=draft,
        actor=world.supporter,
        answers={"3": 4, "4": 1, "5": 3},
        expected_version=draft.version,
    )
    assert draft.status == "draft" and draft.score is None

    done = response_complete(response=draft, actor=world.supporter, expected_version=3)

    stored = Response.objects.get(pk=done.pk)
    assert stored.answers == WHO5_ANSWERS
    assert (stored.status, stored.raw, stored.score) == ("complete", 13, 52)
    assert stored.band == "above_50"
    assert stored.completed_at is not None
    assert (stored.filled_by, stored.method) == (world.supporter, "with_supporter")
    actions = list(
        AuditEvent.objects.filter(object_type="response")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "response.started",
        "response.saved",
        "response.saved",
        "response.completed",
    ]
    assert list(engagement_scores(world.engagement)) == [stored]


def test_a_saved_answer_can_be_cleared_with_none(world, who5):
    draft = a_draft(world, who5, **{"1": 3, "2": 2})
    draft = response_save(
        response=draft, actor=world.supporter, answers={"2": None}, expected_version=1
    )
    assert draft.answers == {"1": 3}


def test_completion_is_refused_with_the_required_items_still_open(world, who5):
    draft = a_draft(world, who5, **{"1": 3, "2": 2})
    with pytest.raises(RuleViolation) as refused:
        response_complete(response=draft, actor=world.supporter, expected_version=1)
    assert refused.value.missing == ["3", "4", "5"]
    assert "3, 4, 5 still open" in refused.value.message
    assert Response.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize(
    "answers,expected",
    [
        ({"1": 6}, "Item 1: the answer must be one of 0, 1, 2, 3, 4, 5 (not 6)"),
        ({"1": -1}, "not -1"),
        ({"1": "3"}, "not '3'"),
        ({"1": 3.0}, "not 3.0"),
        ({"1": True}, "not True"),
        ({"9": 3}, "Item 9 is not in who-5 v1; its items are 1, 2, 3, 4, 5"),
        ({"one": 3}, "Item one is not in who-5 v1"),
    ],
)
def test_bad_answers_are_refused_and_nothing_changes(world, who5, answers, expected):
    draft = a_draft(world, who5, **{"1": 3})
    with pytest.raises(ValidationError) as refused:
        response_save(response=draft, actor=world.supporter, answers=answers, expected_version=1)
    assert expected in " ".join(refused.value.message_dict["answers"])
    stored = Response.objects.get(pk=draft.pk)
    assert (stored.answers, stored.version) == ({"1": 3}, 1)


def test_a_text_answer_longer_than_its_item_allows_is_refused(world):
    who5 = installed("who-5")
    definition = dict(who5.definition)
    text_item = {"number": 6, "kind": "text", "text": {"en": "Anything else?"}, "max_length": 10}
    definition["items"] = [*definition["items"], text_item]
    version = InstrumentVersion.objects.create(
        instrument=who5.instrument, number=9, definition=definition, sha256="0" * 64
    )
    with pytest.raises(ValidationError, match="11 characters; at most 10"):
        a_draft(world, version, **{"6": "x" * 11})
    assert not Response.objects.exists()
    fine = a_draft(world, version, **{"6": "  fine  "})
    assert fine.answers == {"6": "fine"}


def test_a_retired_version_takes_no_new_response_nor_more_answers(world, who5):
    draft = a_draft(world, who5, **{"1": 3})
    who5.retired = True
    who5.save(update_fields=["retired"])
    with pytest.raises(RuleViolation, match="who-5 v1 is retired"):
        a_draft(world, who5)
    with pytest.raises(RuleViolation, match="retired"):
        response_save(response=draft, actor=world.supporter, answers={"2": 1}, expected_version=1)
    assert Response.objects.count() == 1


def test_a_closed_engagement_takes_no_response(world, who5):
    draft = a_draft(world, who5, **{"1": 3})
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    with pytest.raises(RuleViolation, match="closed"):
        a_draft(world, who5)
    with pytest.raises(RuleViolation, match="closed"):
        response_complete(response=draft, actor=world.supporter, expected_version=1)
    assert Response.objects.count() == 1


def test_a_complete_response_can_no_longer_change(world, who5):
    done = response_record(
        engagement=world.engagement,
        version=who5,
        actor=world.supporter,
        method="paper",
        answers=WHO5_ANSWERS,
    )
    with pytest.raises(RuleViolation, match="complete"):
        response_save(
            response=done, actor=world.supporter, answers={"1": 0}, expected_version=done.version
        )


def test_a_stale_copy_is_refused(world, who5):
    draft = a_draft(world, who5)
    response_save(response=draft, actor=world.supporter, answers={"1": 3}, expected_version=1)
    with pytest.raises(StaleEdit):
        response_save(response=draft, actor=world.supporter, answers={"1": 4}, expected_version=1)
    assert Response.objects.get(pk=draft.pk).answers == {"1": 3}


def test_only_the_participant_fills_in_the_portal(world, who5):
    with pytest.raises(RuleViolation, match="Only the participant"):
        response_start(
            engagement=world.engagement, version=who5, actor=world.supporter, method="portal"
        )
    mine = response_start(
        engagement=world.engagement, version=who5, actor=world.participant_user, method="portal"
    )
    assert (mine.filled_by, mine.method) == (world.participant_user, "portal")


def test_a_portal_draft_is_the_participants_and_a_team_draft_the_teams(world, who5):
    theirs = response_start(
        engagement=world.engagement, version=who5, actor=world.participant_user, method="portal"
    )
    ours = a_draft(world, who5)

    with pytest.raises(RuleViolation, match="only they change it"):
        response_save(response=theirs, actor=world.supporter, answers={"1": 3}, expected_version=1)
    with pytest.raises(RuleViolation, match="only they change it"):
        response_complete(response=theirs, actor=world.coordinator, expected_version=1)
    with pytest.raises(RuleViolation, match="recorded by staff"):
        response_save(
            response=ours, actor=world.participant_user, answers={"1": 3}, expected_version=1
        )
    assert Response.objects.get(pk=theirs.pk).answers == {}
    assert Response.objects.get(pk=ours.pk).answers == {}


def test_a_refused_completion_in_one_go_keeps_nothing(world, who5):
    with pytest.raises(RuleViolation):
        response_record(
            engagement=world.engagement,
            version=who5,
            actor=world.supporter,
            method="with_supporter",
            answers={"1": 3},
        )
    assert not Response.objects.exists()
    assert not AuditEvent.objects.filter(object_type="response").exists()


def test_responses_are_scoped_like_engagements(world, who5):
    mine = a_draft(world, who5)
    theirs = response_start(
        engagement=world.other_engagement,
        version=who5,
        actor=world.other_supporter,
        method="with_supporter",
    )
    org = world.org

    def seen(user, organization=org):
        return set(responses_visible_to(user, organization))

    assert seen(world.supporter) == {mine}
    assert seen(world.supervisor) == {mine}
    assert seen(world.participant_user) == {mine}
    assert seen(world.other_supporter) == {theirs}
    assert seen(world.coordinator) == {mine, theirs}
    assert seen(world.admin) == set()
    assert seen(world.outsider, world.other_org) == set()
