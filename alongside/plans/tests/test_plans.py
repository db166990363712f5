"""Plans: their style, the goals they cover, and formal plans signed by both, never changed."""

from __future__ import annotations

import pytest

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.plans.models import Immutable, Plan, PlanSignature, PlanStyle, plan_hash
from alongside.plans.pdf import plan_html
from alongside.plans.services import (
    plan_create,
    plan_sign,
    plan_update,
    step_create,
)
from alongside.plans.testing import a_formal_plan, a_goal


@pytest.fixture
def goal(world):
    goal = a_goal(
        world.engagement,
        world.supporter,
        "Cook at home three nights a week",
        why_it_matters="Money and health",
        approach="not_applicable",
    )
    step_create(goal=goal, actor=world.supporter, text="Buy a rice cooker", owner="participant")
    return goal


@pytest.fixture
def plan(world, goal):
    return a_formal_plan(world.engagement, world.supporter, [goal])


def _sign(world, plan, role="participant", **overrides):
    fields = {
        "plan": plan,
        "role": role,
        "typed_name": "Pat Rivera" if role == "participant" else "Sunny Demo",
        "shown_hash": plan.sha256,
        "actor": world.supporter,
        "signer": world.participant_user if role == "participant" else world.supporter,
        "method": "in_person",
        "ip": "192.0.2.7",
    }
    return plan_sign(**{**fields, **overrides})


@pytest.mark.parametrize("style", PlanStyle.values)
def test_a_plan_records_its_style_and_the_goals_it_covers(world, goal, style):
    plan = plan_create(
        engagement=world.engagement, actor=world.supporter, style=style, goals=[goal]
    )

    assert plan.style == style
    assert list(plan.goals.all()) == [goal]
    assert plan.number == 1
    assert "Cook at home three nights a week" in plan.text
    assert "Buy a rice cooker" in plan.text
    assert "Money and health" in plan.text
    assert AuditEvent.objects.filter(action="plan.created", object_id=str(plan.pk)).exists()


def test_a_plan_covers_only_its_own_engagements_goals(world, goal):
    foreign = a_goal(world.other_engagement, world.other_supporter)

    with pytest.raises(RuleViolation, match="this engagement"):
        plan_create(
            engagement=world.engagement,
            actor=world.supporter,
            style=PlanStyle.ONGOING,
            goals=[goal, foreign],
        )
    with pytest.raises(RuleViolation, match="at least one goal"):
        plan_create(
            engagement=world.engagement, actor=world.supporter, style=PlanStyle.ONGOING, goals=[]
        )

    assert not Plan.objects.exists()


def test_a_new_plan_takes_the_next_number(world, goal, plan):
    second = plan_create(
        engagement=world.engagement, actor=world.supporter, style=PlanStyle.ONGOING, goals=[goal]
    )

    assert second.number == 2


def test_an_unsigned_plan_changes_in_place_and_is_written_again(world, goal, plan):
    step_create(goal=goal, actor=world.supporter, text="Try one recipe", owner="both")

    changed = plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="Weekly")

    assert changed.pk == plan.pk
    assert changed.version == 2
    assert "Try one recipe" in changed.text
    assert "Weekly" in changed.text


def test_a_stale_plan_edit_is_refused(world, plan):
    plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="Weekly")

    with pytest.raises(StaleEdit):
        plan_update(plan=plan, actor=world.coordinator, expected_version=1, agreed="Monthly")

    plan.refresh_from_db()
    assert "Weekly" in plan.text and "Monthly" not in plan.text


def test_both_sign_the_exact_text_with_who_when_where_and_its_hash(world, plan):
    participant = _sign(world, plan, "participant")
    supporter = _sign(world, plan, "supporter")

    assert participant.sha256 == supporter.sha256 == plan_hash(plan.text)
    assert (participant.signer, participant.signer_name, participant.ip) == (
        world.participant_user,
        "Pat Rivera",
        "192.0.2.7",
    )
    assert supporter.signer == world.supporter
    assert AuditEvent.objects.filter(action="plan.signed").count() == 2


def test_a_signature_on_changed_text_is_refused(world, plan):
    old_hash = plan.sha256
    plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="Weekly")
    plan.refresh_from_db()

    with pytest.raises(RuleViolation, match="changed since you opened it"):
        _sign(world, plan, shown_hash=old_hash)

    assert not PlanSignature.objects.exists()


def test_a_signed_plan_never_changes_a_change_makes_a_new_plan_to_sign(world, goal, plan):
    _sign(world, plan, "participant")
    signed_text = plan.text

    new = plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="Weekly")

    plan.refresh_from_db()
    assert plan.text == signed_text
    assert plan.version == 1
    assert new.pk != plan.pk
    assert new.number == 2
    assert not new.signatures.exists()
    assert list(new.goals.all()) == [goal]
    assert AuditEvent.objects.filter(action="plan.revised", object_id=str(new.pk)).exists()


def test_a_replaced_plan_can_be_neither_changed_nor_signed(world, plan):
    _sign(world, plan, "participant")
    plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="Weekly")

    with pytest.raises(RuleViolation, match="earlier plan"):
        plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="Daily")
    with pytest.raises(RuleViolation, match="replaced"):
        _sign(world, plan, "supporter")


def test_a_signature_is_never_edited(world, plan):
    signature = _sign(world, plan)
    signature.signer_name = "Someone Else"

    with pytest.raises(Immutable):
        signature.save()


def test_each_role_signs_once(world, plan):
    _sign(world, plan, "participant")

    with pytest.raises(RuleViolation, match="already signed"):
        _sign(world, plan, "participant")


@pytest.mark.parametrize(
    ("role", "overrides", "message"),
    [
        ("participant", {"typed_name": "Pat R"}, "full name"),
        ("participant", {"typed_name": "  "}, "full name"),
        ("supporter", {"actor": None}, "peer supporter signs"),
        ("supporter", {"method": "portal"}, "portal"),
        ("witness", {}, "participant and the peer supporter"),
        ("participant", {"method": "fax"}, "portal or in person"),
    ],
)
def test_it_refuses_the_wrong_signer(world, plan, role, overrides, message):
    with pytest.raises(RuleViolation, match=message):
        _sign(world, plan, role, **overrides)

    assert not PlanSignature.objects.exists()


def test_only_the_engagements_own_supporter_signs_as_supporter(world, plan):
    with pytest.raises(RuleViolation, match="peer supporter signs"):
        _sign(world, plan, "supporter", actor=world.coordinator, typed_name="Cora Demo")


def test_only_a_formal_plan_is_signed(world, goal):
    plan = plan_create(
        engagement=world.engagement, actor=world.supporter, style=PlanStyle.ONGOING, goals=[goal]
    )

    with pytest.raises(RuleViolation, match="formal"):
        _sign(world, plan)


def test_plans_of_a_closed_engagement_cannot_change_or_be_signed(world, plan):
    world.engagement.state = State.CLOSED
    world.engagement.save()
    plan = Plan.objects.get(pk=plan.pk)

    with pytest.raises(RuleViolation, match="closed"):
        _sign(world, plan)
    with pytest.raises(RuleViolation, match="closed"):
        plan_update(plan=plan, actor=world.supporter, expected_version=1, agreed="x")


def test_the_pdf_page_carries_the_text_and_every_signature(world, plan):
    _sign(world, plan, "participant")
    _sign(world, plan, "supporter")

    html = plan_html(plan)

    assert "Cook at home three nights a week" in html
    assert html.count(plan.sha256) == 3  # each signature, and the plan's own line
    assert "Pat Rivera" in html and "Sunny Demo" in html
