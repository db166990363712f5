"""The goal and plan pages over HTTP: who reaches them, stale edits, prompts, signing, PDF."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.engagements.models import State
from alongside.meetings.models import Meeting, Note
from alongside.plans.forms import plan_opening_token
from alongside.plans.models import (
    ActionStep,
    CheckIn,
    Goal,
    Plan,
    PlanSignature,
    PlanStyle,
    Stage,
)
from alongside.plans.selectors import engagement_section
from alongside.plans.services import check_in_record, goal_update, plan_create, step_create
from alongside.plans.testing import a_formal_plan, a_goal
from conftest import PASSWORD, inline_scripts


@pytest.fixture
def goal(world):
    return a_goal(world.engagement, world.supporter, "Sleep better", stage=Stage.CONTEMPLATION)


@pytest.fixture
def step(world, goal):
    return step_create(goal=goal, actor=world.supporter, text="Phone off at 11", owner="both")


@pytest.fixture
def plan(world, goal):
    return a_formal_plan(world.engagement, world.supporter, [goal])


def _goal_form(version=1, **overrides) -> dict:
    data = {
        "statement": "Sleep better",
        "approach": "not_applicable",
        "wellness_dimension": "physical",
        "why_it_matters": "",
        "strengths": "",
        "measure": "",
        "stage": "contemplation",
        "stage_note": "",
        "status": "active",
        "version": version,
    }
    data.update(overrides)
    return data


# Who reaches which page

READ = {
    "coordinator": 200,
    "supervisor": 200,
    "supporter": 200,
    "other_supporter": 404,
    "admin": 403,
    "participant_user": 403,
    "outsider": 404,
}
WRITE = {**READ, "supervisor": 403}
PERSONAS = list(READ)


def _urls(world, goal, step, plan):
    return {
        "read": [
            reverse("plans:goal_detail", args=[goal.pk]),
            reverse("plans:plan_detail", args=[plan.pk]),
            reverse("plans:plan_pdf", args=[plan.pk]),
        ],
        "write": [
            reverse("plans:goal_create", args=[world.engagement.pk]),
            reverse("plans:goal_edit", args=[goal.pk]),
            reverse("plans:step_create", args=[goal.pk]),
            reverse("plans:step_edit", args=[step.pk]),
            reverse("plans:check_in_create", args=[goal.pk]),
            reverse("plans:plan_create", args=[world.engagement.pk]),
            reverse("plans:plan_edit", args=[plan.pk]),
            reverse("plans:plan_sign", args=[plan.pk, "participant"]),
            reverse("plans:plan_sign", args=[plan.pk, "supporter"]),
        ],
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reaches_the_goal_and_plan_pages(client, world, goal, step, plan, persona):
    client.force_login(getattr(world, persona))
    urls = _urls(world, goal, step, plan)

    for url in urls["read"]:
        assert client.get(url).status_code == READ[persona], url
    for url in urls["write"]:
        assert client.get(url).status_code == WRITE[persona], url
    mark = client.post(reverse("plans:step_mark", args=[step.pk]), {"version": 1, "done": "1"})
    assert mark.status_code == (302 if WRITE[persona] == 200 else WRITE[persona])
    step.refresh_from_db()
    assert step.is_done == (WRITE[persona] == 200)


@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_only_the_participant_reaches_their_portal_goals_and_plan(client, world, plan, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    expected = 200 if persona == "participant_user" else 403
    urls = [
        reverse("plans:portal_goals"),
        reverse("plans:portal_plan_sign", args=[plan.pk]),
        reverse("plans:portal_plan_pdf", args=[plan.pk]),
    ]
    for url in urls:
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == expected, url


def test_anonymous_people_are_sent_to_sign_in(client, world, goal, step, plan):
    for url in [*_urls(world, goal, step, plan)["read"], *_urls(world, goal, step, plan)["write"]]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_participants_plan_is_not_found_in_the_portal(client, world):
    other = a_formal_plan(world.other_engagement, world.other_supporter)
    client.force_login(world.participant_user)

    assert client.get(reverse("plans:portal_plan_sign", args=[other.pk])).status_code == 404
    assert client.get(reverse("plans:portal_plan_pdf", args=[other.pk])).status_code == 404


def test_a_role_that_is_not_a_signer_is_not_found(client, world, plan):
    client.force_login(world.supporter)

    assert client.get(reverse("plans:plan_sign", args=[plan.pk, "witness"])).status_code == 404


# Goals: adding, editing, stale edits with both versions


def test_a_supporter_adds_a_goal_with_all_its_parts(client, world):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:goal_create", args=[world.engagement.pk]),
        {
            "statement": "Drink less on weekdays",
            "approach": "harm_reduction",
            "wellness_dimension": "physical",
            "why_it_matters": "Work mornings",
            "strengths": "My running group",
            "measure": "Dry weekdays in the diary",
            "stage": "contemplation",
            "stage_note": "Thinking it over",
        },
    )

    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.approach, goal.stage, goal.strengths) == (
        "harm_reduction",
        "contemplation",
        "My running group",
    )
    assert goal.stages.get().note == "Thinking it over"


def test_bad_goal_input_is_refused_with_a_message_and_saves_nothing(client, world):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:goal_create", args=[world.engagement.pk]),
        {"statement": "x", "wellness_dimension": "cosmic", "approach": "magic"},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_stale_goal_edit_shows_both_versions_and_overwrites_nothing(client, world, goal):
    goal_update(goal=goal, actor=world.coordinator, expected_version=1, statement="Sleep 7 hours")
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:goal_edit", args=[goal.pk]),
        _goal_form(statement="Sleep without pills", measure="Diary"),
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this goal" in page
    assert "Both versions" in page
    assert "Sleep 7 hours" in page  # theirs, as stored
    assert "Sleep without pills" in page  # mine, as typed
    assert "Cora Demo" in page  # who saved theirs
    assert 'name="version" value="2"' in page
    goal.refresh_from_db()
    assert (goal.statement, goal.measure, goal.version) == ("Sleep 7 hours", "", 2)


def test_having_seen_both_versions_saving_again_keeps_mine(client, world, goal):
    goal_update(goal=goal, actor=world.coordinator, expected_version=1, statement="Sleep 7 hours")
    client.force_login(world.supporter)
    client.post(reverse("plans:goal_edit", args=[goal.pk]), _goal_form(statement="Mine"))

    response = client.post(
        reverse("plans:goal_edit", args=[goal.pk]), _goal_form(version=2, statement="Mine")
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.statement == "Mine"


def test_moving_to_planning_without_readiness_saves_and_shows_the_prompt(client, world, goal):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:goal_edit", args=[goal.pk]), _goal_form(stage="preparation"), follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ask-Share-Ask" in page
    assert "Goal saved." in page
    assert "Contemplation → Preparation on" in page
    goal.refresh_from_db()
    assert goal.stage == Stage.PREPARATION


def test_moving_to_planning_after_a_readiness_signal_shows_no_prompt(client, world, goal):
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now(),
        mode="phone",
        created_by=world.supporter,
    )
    Note.objects.create(
        meeting=meeting, author=world.supporter, body="x", readiness_signals=["resolve"]
    )
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:goal_edit", args=[goal.pk]), _goal_form(stage="action"), follow=True
    )

    assert "Ask-Share-Ask" not in response.content.decode()


def test_a_closed_engagements_goal_cannot_be_edited_over_http(client, world, goal):
    world.engagement.state = State.CLOSED
    world.engagement.save()
    client.force_login(world.supporter)

    response = client.post(reverse("plans:goal_edit", args=[goal.pk]), _goal_form(measure="x"))

    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.measure == ""


# Steps and check-ins


def test_steps_are_added_marked_and_edited_on_the_goal_page(client, world, goal):
    client.force_login(world.supporter)
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()

    add = client.post(
        reverse("plans:step_create", args=[goal.pk]),
        {"text": "Ask the doctor", "owner": "participant", "due_on": due, "notes": ""},
    )
    step = ActionStep.objects.get()
    mark = client.post(reverse("plans:step_mark", args=[step.pk]), {"version": 1, "done": "1"})
    edit = client.post(
        reverse("plans:step_edit", args=[step.pk]),
        {"text": "Ask the doctor", "owner": "both", "due_on": due, "notes": "Tue", "version": 2},
    )
    page = client.get(reverse("plans:goal_detail", args=[goal.pk])).content.decode()

    assert (add.status_code, mark.status_code, edit.status_code) == (302, 302, 302)
    step.refresh_from_db()
    assert step.is_done and step.owner == "both" and step.notes == "Tue"
    assert "Ask the doctor" in page and "Mark not done" in page


def test_a_stale_step_edit_or_mark_is_refused_with_a_message(client, world, step):
    client.force_login(world.supporter)
    client.post(reverse("plans:step_mark", args=[step.pk]), {"version": 1, "done": "1"})

    stale_mark = client.post(
        reverse("plans:step_mark", args=[step.pk]), {"version": 1, "done": "0"}, follow=True
    )
    stale_edit = client.post(
        reverse("plans:step_edit", args=[step.pk]),
        {"text": "Other", "owner": "both", "due_on": "", "notes": "", "version": 1},
    )

    assert "Someone else changed" in stale_mark.content.decode()
    assert stale_edit.status_code == 409
    assert "Someone else changed" in stale_edit.content.decode()
    step.refresh_from_db()
    assert step.is_done and step.text == "Phone off at 11"


def test_a_check_in_shows_as_a_trend_with_its_table(client, world, goal):
    client.force_login(world.supporter)
    for rating in ("2", "4"):
        response = client.post(
            reverse("plans:check_in_create", args=[goal.pk]),
            {"rating": rating, "note": f"Felt {rating}", "checked_on": ""},
        )
        assert response.status_code == 302

    page = client.get(reverse("plans:goal_detail", args=[goal.pk])).content.decode()

    assert "<svg" in page and "<polyline" in page
    assert "from 2 to 4 of 5" in page
    assert "4 · Mostly" in page and "Felt 2" in page
    # The chart is drawn without script, and nothing is inline.
    assert inline_scripts(page) == []
    assert "style=" not in page


def test_a_rating_outside_the_scale_is_refused_over_http(client, world, goal):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:check_in_create", args=[goal.pk]), {"rating": "9", "note": "x"}
    )

    assert response.status_code == 400
    assert not CheckIn.objects.exists()


# Plans: create, change, sign, PDF


def test_a_supporter_records_an_informal_discussion_plan(client, world, goal):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:plan_create", args=[world.engagement.pk]),
        {
            "style": "informal_once",
            "goals": [goal.pk],
            "discussed_on": timezone.localdate().isoformat(),
            "agreed": "Talk again after the holidays",
        },
    )

    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/plans/{plan.pk}/")
    assert plan.style == PlanStyle.INFORMAL_ONCE
    page = client.get(response["Location"]).content.decode()
    assert "Talk again after the holidays" in page
    assert "Participant signs in person" not in page


def test_a_plan_cannot_cover_another_engagements_goal(client, world, goal):
    foreign = a_goal(world.other_engagement, world.other_supporter)
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:plan_create", args=[world.engagement.pk]),
        {"style": "ongoing", "goals": [foreign.pk], "discussed_on": "2026-01-05"},
    )

    assert response.status_code == 400
    assert not Plan.objects.exists()


def _sign_form(plan, role, user, password=PASSWORD, typed_name="Pat Rivera") -> dict:
    return {
        "plan_hash": plan.sha256,
        "opened": plan_opening_token(plan=plan, role=role, user=user),
        "typed_name": typed_name,
        "password": password,
    }


def test_the_participant_signs_in_the_portal_and_the_supporter_on_their_device(
    client, world, plan
):
    client.force_login(world.participant_user)
    portal = client.post(
        reverse("plans:portal_plan_sign", args=[plan.pk]),
        _sign_form(plan, "participant", world.participant_user),
        REMOTE_ADDR="198.51.100.4",
    )
    client.force_login(world.supporter)
    staff = client.post(
        reverse("plans:plan_sign", args=[plan.pk, "supporter"]),
        _sign_form(plan, "supporter", world.supporter, typed_name="Sunny Demo"),
    )

    assert (portal.status_code, staff.status_code) == (302, 302)
    signed = {s.role: s for s in PlanSignature.objects.all()}
    assert signed["participant"].method == "portal"
    assert signed["participant"].signer == world.participant_user
    assert signed["participant"].ip == "198.51.100.4"
    assert signed["supporter"].method == "in_person"
    assert {s.sha256 for s in signed.values()} == {plan.sha256}
    page = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert page.count("badge ok") == 2


def test_the_participant_signs_in_person_with_their_own_portal_password(client, world, plan):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:plan_sign", args=[plan.pk, "participant"]),
        _sign_form(plan, "participant", world.supporter),
    )

    assert response.status_code == 302
    signature = PlanSignature.objects.get()
    assert (signature.signer, signature.recorded_by) == (world.participant_user, world.supporter)


def test_a_wrong_password_or_a_foreign_token_signs_nothing(client, world, plan):
    client.force_login(world.participant_user)
    url = reverse("plans:portal_plan_sign", args=[plan.pk])

    wrong = client.post(url, _sign_form(plan, "participant", world.participant_user, "nope"))
    forged = client.post(url, _sign_form(plan, "participant", world.supporter))

    assert wrong.status_code == 400 and "not your password" in wrong.content.decode()
    assert forged.status_code == 400 and "does not belong" in forged.content.decode()
    assert not PlanSignature.objects.exists()


def test_a_coordinator_cannot_sign_as_the_supporter(client, world, plan):
    client.force_login(world.coordinator)

    response = client.post(
        reverse("plans:plan_sign", args=[plan.pk, "supporter"]),
        _sign_form(plan, "supporter", world.coordinator, typed_name="Cora Demo"),
    )

    assert response.status_code == 409
    assert not PlanSignature.objects.exists()


def test_a_name_the_service_refuses_answers_409_and_signs_nothing(client, world, plan):
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:plan_sign", args=[plan.pk, "participant"]),
        _sign_form(plan, "participant", world.supporter, typed_name="Someone Else"),
    )

    assert response.status_code == 409
    assert "full name as the program has it" in response.content.decode()
    assert not PlanSignature.objects.exists()


def test_changing_a_signed_plan_over_http_makes_a_new_plan_to_sign(client, world, goal, plan):
    client.force_login(world.participant_user)
    client.post(
        reverse("plans:portal_plan_sign", args=[plan.pk]),
        _sign_form(plan, "participant", world.participant_user),
    )
    client.force_login(world.supporter)

    response = client.post(
        reverse("plans:plan_edit", args=[plan.pk]),
        {
            "style": "formal",
            "goals": [goal.pk],
            "discussed_on": timezone.localdate().isoformat(),
            "agreed": "Check in monthly",
            "version": 1,
        },
    )

    new = Plan.objects.get(number=2)
    assert response["Location"].endswith(f"/plans/{new.pk}/")
    old_page = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert "A later plan replaced this one" in old_page
    assert "Check in monthly" not in Plan.objects.get(pk=plan.pk).text
    stale_sign = client.get(reverse("plans:plan_sign", args=[plan.pk, "supporter"]))
    assert "replaced this one" in stale_sign.content.decode()


def test_a_formal_plan_downloads_as_pdf_and_an_informal_one_does_not(client, world, goal, plan):
    informal = plan_create(
        engagement=world.engagement, actor=world.supporter, style="ongoing", goals=[goal]
    )
    client.force_login(world.supporter)

    response = client.get(reverse("plans:plan_pdf", args=[plan.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Plan 1" in response["Content-Disposition"]
    assert client.get(reverse("plans:plan_pdf", args=[informal.pk])).status_code == 404


# The portal, and pages whose queries do not grow


def test_the_participant_sees_goals_stages_steps_and_trend_in_the_portal(
    client, world, goal, step, plan
):
    goal_update(goal=goal, actor=world.supporter, expected_version=1, stage=Stage.PREPARATION)
    check_in_record(goal=goal, actor=world.supporter, rating=3, note="Better weeks")
    client.force_login(world.participant_user)

    page = client.get(reverse("plans:portal_goals")).content.decode()

    assert "Sleep better" in page
    assert "Contemplation → Preparation on" in page
    assert "Phone off at 11" in page
    assert "3 · Somewhat" in page and "<svg" in page
    assert "Read and sign my plan" in page
    assert "Mark done" not in page  # read-only
    assert 'href="/plans/' not in page  # no staff links


def _goals_with_everything(world, n):
    for i in range(n):
        goal = a_goal(world.engagement, world.supporter, f"Goal {i}", stage=Stage.CONTEMPLATION)
        goal_update(goal=goal, actor=world.supporter, expected_version=1, stage=Stage.ACTION)
        step_create(goal=goal, actor=world.supporter, text="Step", owner="both")
        check_in_record(goal=goal, actor=world.supporter, rating=2)
    return list(Goal.objects.filter(engagement=world.engagement))


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_the_portal_goals_page_reads_the_same_queries_for_one_goal_or_ten(client, world):
    client.force_login(world.participant_user)
    url = reverse("plans:portal_goals")
    goals = _goals_with_everything(world, 1)
    a_formal_plan(world.engagement, world.supporter, goals)
    one = _queries(lambda: client.get(url))
    _goals_with_everything(world, 9)

    assert _queries(lambda: client.get(url)) == one


def test_the_goal_page_reads_the_same_queries_for_one_check_in_or_ten(client, world, goal):
    client.force_login(world.supporter)
    url = reverse("plans:goal_detail", args=[goal.pk])
    check_in_record(goal=goal, actor=world.supporter, rating=2)
    step_create(goal=goal, actor=world.supporter, text="s", owner="both")
    one = _queries(lambda: client.get(url))
    for _ in range(9):
        check_in_record(goal=goal, actor=world.supporter, rating=4)
        step_create(goal=goal, actor=world.supporter, text="s", owner="both")

    assert _queries(lambda: client.get(url)) == one


def test_the_engagement_section_reads_six_queries_whatever_the_goals(
    world, django_assert_max_num_queries
):
    goals = _goals_with_everything(world, 10)
    a_formal_plan(world.engagement, world.supporter, goals)

    with django_assert_max_num_queries(6):
        section = engagement_section(world.engagement)
        assert len(section["goals"]) == 10
        assert section["plan"].number == 1


def test_the_engagement_section_links_each_goal_and_the_current_plan(world, goal, plan):
    from django.template.loader import render_to_string

    check_in_record(goal=goal, actor=world.supporter, rating=4)
    context = {"engagement": world.engagement, "can_write": True}
    context.update(engagement_section(world.engagement))

    html = render_to_string("plans/_engagement_section.html", context)

    assert reverse("plans:goal_detail", args=[goal.pk]) in html
    assert reverse("plans:plan_detail", args=[plan.pk]) in html
    assert "last check-in 4/5 (Mostly)" in html
    assert "to sign" in html
    assert reverse("plans:plan_create", args=[world.engagement.pk]) in html
