"""Both sign the assessment text; an edit asks them to sign again; signed by both, it stays."""

from __future__ import annotations

import pytest

from alongside.assessments.models import AssessmentSignature, Immutable
from alongside.assessments.services import (
    assessment_sign,
    assessment_update,
    ensure_editable,
    signature_state,
)
from alongside.assessments.testing import an_assessment
from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation


def _sign(world, assessment, role="participant", **overrides):
    arguments = {
        "assessment": assessment,
        "role": role,
        "typed_name": "Pat Rivera" if role == "participant" else "Sunny Demo",
        "shown_hash": assessment.sha256,
        "actor": world.supporter,
        "signer": world.participant_user if role == "participant" else world.supporter,
        "method": "in_person",
    }
    arguments.update(overrides)
    return assessment_sign(**arguments)


def test_both_sign_and_the_assessment_is_then_read_only(world):
    assessment = an_assessment(world.engagement, world.supporter)

    _sign(world, assessment, "participant")
    _sign(world, assessment, "supporter")

    state = signature_state(assessment)
    assert state["complete"]
    assert state["participant"].signer_name == "Pat Rivera"
    assert state["supporter"].sha256 == assessment.sha256
    with pytest.raises(RuleViolation, match="Both signed"):
        assessment_update(
            assessment=assessment, actor=world.supporter, expected_version=1, measure="x"
        )
    with pytest.raises(RuleViolation, match="Both signed"):
        ensure_editable(assessment)
    assert AuditEvent.objects.filter(action="assessment.signed").count() == 2


def test_the_participant_signs_in_the_portal(world):
    assessment = an_assessment(world.engagement, world.supporter)

    signature = _sign(world, assessment, actor=world.participant_user, method="portal")

    assert signature.method == "portal" and signature.recorded_by == world.participant_user


def test_an_edit_after_one_signature_asks_them_to_sign_again(world):
    assessment = an_assessment(world.engagement, world.supporter)
    first = _sign(world, assessment, "participant")

    changed = assessment_update(
        assessment=assessment, actor=world.supporter, expected_version=1, measure="Monthly"
    )

    state = signature_state(changed)
    assert state["participant"] is None and state["stale"] == [first]
    event = AuditEvent.objects.get(action="assessment.updated")
    assert event.data["signatures_to_renew"] == ["participant"]
    _sign(world, changed, "participant")  # the new wording
    assert signature_state(changed)["participant"] is not None


def test_signing_needs_the_plan_written(world):
    assessment = an_assessment(world.engagement, world.supporter, actions="", corrections="")

    with pytest.raises(RuleViolation, match="Before signing") as refused:
        _sign(world, assessment)

    assert refused.value.missing == ["specific actions", "how problems will be corrected"]
    assert not AssessmentSignature.objects.exists()


def test_the_text_shown_must_be_the_text_signed(world):
    assessment = an_assessment(world.engagement, world.supporter)

    with pytest.raises(RuleViolation, match="changed since you opened it"):
        _sign(world, assessment, shown_hash="0" * 64)


def test_a_role_signs_a_text_once(world):
    assessment = an_assessment(world.engagement, world.supporter)
    _sign(world, assessment)

    with pytest.raises(RuleViolation, match="already signed"):
        _sign(world, assessment)


@pytest.mark.parametrize(
    ("role", "changes", "words"),
    [
        ("participant", {"typed_name": "Someone Else"}, "Pat Rivera"),
        ("supporter", {"typed_name": "Sunny Demo", "actor": "coordinator"}, "Only the"),
        ("supporter", {"typed_name": "Sunny Demo", "method": "portal"}, "Only the participant"),
        ("supporter", {"typed_name": "Somebody"}, "as your account has it"),
        ("witness", {}, "signed by the participant and the peer supporter"),
    ],
)
def test_who_may_sign_as_what(world, role, changes, words):
    assessment = an_assessment(world.engagement, world.supporter)
    if changes.get("actor") == "coordinator":
        changes["actor"] = world.coordinator

    with pytest.raises(RuleViolation, match=words):
        _sign(world, assessment, role, **changes)

    assert not AssessmentSignature.objects.exists()


def test_a_signature_never_changes(world):
    assessment = an_assessment(world.engagement, world.supporter)
    signature = _sign(world, assessment)

    signature.signer_name = "Someone"
    with pytest.raises(Immutable):
        signature.save()
