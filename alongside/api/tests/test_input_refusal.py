"""Every write refuses an unknown field or a value of the wrong type with 422, naming
it, and changes nothing (issue 7): a misspelt field is never dropped in silence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db.models import Sum
from django.utils import timezone

from alongside.agreements.models import SignedDocument
from alongside.assessments.models import Assessment
from alongside.assessments.services import assessment_record
from alongside.audit.models import AuditEvent
from alongside.concerns.models import Category, Concern, ConcernAction
from alongside.concerns.services import concern_raise
from alongside.consents.models import Consent
from alongside.engagements.models import Engagement, GuidelineExtension
from alongside.exits.models import ConcludingStep, Exit
from alongside.exits.services import exit_start
from alongside.meetings.models import Meeting
from alongside.meetings.services import meeting_schedule
from alongside.participants.models import Participant
from alongside.plans.models import ActionStep, CheckIn, Goal
from alongside.plans.services import step_create
from alongside.plans.testing import a_goal
from alongside.referrals.models import Referral
from alongside.referrals.services import referral_create
from alongside.surveys.models import Response
from alongside.surveys.services import response_record
from alongside.surveys.testing import installed
from conftest import open_engagement

COUNTED = (
    AuditEvent,
    Referral,
    Participant,
    Goal,
    ActionStep,
    CheckIn,
    Meeting,
    Response,
    Consent,
    SignedDocument,
    Assessment,
    Exit,
    ConcludingStep,
    Concern,
    ConcernAction,
    GuidelineExtension,
)
VERSIONED = (Engagement, Goal, ActionStep, Meeting, Response, Assessment, Participant)


def fingerprint() -> tuple:
    """Row counts and version sums: any write would move one of them."""
    counts = tuple(model.objects.count() for model in COUNTED)
    versions = tuple(model.objects.aggregate(v=Sum("version"))["v"] for model in VERSIONED)
    concerns = tuple(Concern.objects.values_list("status", "acknowledged_at", "handled_by_id"))
    referrals = tuple(Referral.objects.values_list("status", "screened_at"))
    return counts, versions, concerns, referrals


@dataclass
class Records:
    goal: Goal
    step: ActionStep
    meeting: Meeting
    draft: Response
    consent: Consent
    assessment: Assessment
    exit: Exit
    concern: Concern
    referral: Referral


@pytest.fixture
def records(world) -> Records:
    today = timezone.localdate()
    leaving = Participant.objects.create(organization=world.org, first_name="Lee")
    ending = open_engagement(leaving, world.program, world.supporter)
    goal = a_goal(world.engagement, world.supporter)
    return Records(
        goal=goal,
        step=step_create(goal=goal, actor=world.supporter, text="Call", owner="participant"),
        meeting=meeting_schedule(
            engagement=world.engagement,
            actor=world.supporter,
            starts_at=timezone.now() + datetime.timedelta(days=2),
            duration_minutes=60,
            mode="phone",
            place_type="virtual",
        ),
        draft=response_record(
            engagement=world.engagement,
            version=installed("who-5"),
            actor=world.supporter,
            method="with_supporter",
            answers={"1": 3},
            complete=False,
        ),
        consent=Consent.objects.create(
            organization=world.org,
            participant=world.participant,
            discloser=world.org.name,
            categories=["attendance"],
            amount="Dates",
            recipient_kind="named",
            recipient_name="Eastside Clinic",
            purposes=["treatment"],
            expires_on=today + datetime.timedelta(days=90),
            signature_method="paper",
            signature_name="Pat Rivera",
            signed_on=today,
            recorded_by=world.supporter,
        ),
        assessment=assessment_record(
            engagement=world.engagement,
            actor=world.supporter,
            tier=1,
            rationale="Steady.",
            assessed_on=today - datetime.timedelta(days=1),
        ),
        exit=exit_start(engagement=ending, actor=world.supporter, reason="goals_met"),
        concern=concern_raise(
            organization=world.org,
            actor=world.participant_user,
            engagement=world.engagement,
            category=Category.SERVICE,
            description="Meetings keep moving.",
        ),
        referral=referral_create(
            organization=world.org,
            program=world.program,
            actor=world.coordinator,
            participant={"first_name": "Nova"},
            source="self",
            needs="Someone to talk to.",
        ),
    )


def _day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# (persona, method, path, a valid body, a field to give the wrong type, its wrong value)
def cases(world, r: Records) -> dict[str, tuple]:
    engagement = world.engagement.pk
    return {
        "participant update": (
            "supporter",
            "patch",
            f"/api/v1/participants/{world.participant.pk}",
            {"pronouns": "they/them"},
            "race_ethnicity",
            "white",
        ),
        "referral create": (
            "coordinator",
            "post",
            "/api/v1/referrals",
            {
                "participant": {"first_name": "Nova"},
                "program": world.program.pk,
                "source": "self",
                "needs": "x",
            },
            "remote_ok",
            "sometimes",
        ),
        "referral screening": (
            "coordinator",
            "post",
            f"/api/v1/referrals/{r.referral.pk}/screening",
            {"decision": "accept"},
            "decision",
            ["accept"],
        ),
        "transition": (
            "supporter",
            "post",
            f"/api/v1/engagements/{engagement}/transitions",
            {"to": "exiting", "reason": "x"},
            "version",
            "latest",
        ),
        "extension": (
            "coordinator",
            "post",
            f"/api/v1/engagements/{engagement}/extensions",
            {"until": _day(400), "reason": "x"},
            "until",
            400,
        ),
        "agreement": (
            "supporter",
            "post",
            "/api/v1/agreements",
            {
                "engagement": engagement,
                "template": world.release.pk,
                "signed_on": _day(0),
                "signer_name": "Pat Rivera",
            },
            "signer_name",
            {"first": "Pat"},
        ),
        "consent create": (
            "supporter",
            "post",
            "/api/v1/consents",
            {"participant": world.participant.pk, "signature_name": "Pat"},
            "categories",
            "attendance",
        ),
        "consent revoke": (
            "supporter",
            "post",
            f"/api/v1/consents/{r.consent.pk}/revoke",
            {"method": "written"},
            "note",
            12,
        ),
        "meeting create": (
            "supporter",
            "post",
            "/api/v1/meetings",
            {
                "engagement": engagement,
                "starts_at": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
                "mode": "phone",
                "place_type": "virtual",
            },
            "duration_minutes",
            "an hour",
        ),
        "meeting update": (
            "supporter",
            "patch",
            f"/api/v1/meetings/{r.meeting.pk}",
            {"mode": "video"},
            "allow_overlap",
            "perhaps",
        ),
        "meeting cancel": (
            "supporter",
            "post",
            f"/api/v1/meetings/{r.meeting.pk}/cancel",
            {"reason": "x"},
            "reason",
            ["x"],
        ),
        "meeting outcome": (
            "supporter",
            "post",
            f"/api/v1/meetings/{r.meeting.pk}/outcome",
            {"outcome": "missed"},
            "outcome",
            True,
        ),
        "goal create": (
            "supporter",
            "post",
            "/api/v1/goals",
            {"engagement": engagement, "statement": "x", "wellness_dimension": "social"},
            "engagement",
            "Pat's",
        ),
        "goal update": (
            "supporter",
            "patch",
            f"/api/v1/goals/{r.goal.pk}",
            {"measure": "x"},
            "status",
            1,
        ),
        "step create": (
            "supporter",
            "post",
            f"/api/v1/goals/{r.goal.pk}/steps",
            {"text": "Call the choir"},
            "due_on",
            "friday",
        ),
        "step update": (
            "supporter",
            "patch",
            f"/api/v1/goals/{r.goal.pk}/steps/{r.step.pk}",
            {"notes": "x"},
            "done",
            "nearly",
        ),
        "check-in": (
            "supporter",
            "post",
            f"/api/v1/goals/{r.goal.pk}/check-ins",
            {"rating": 3},
            "rating",
            7,
        ),
        "response create": (
            "supporter",
            "post",
            "/api/v1/responses",
            {"engagement": engagement, "instrument": "who-5", "answers": {"1": 3}},
            "answers",
            [3],
        ),
        "response update": (
            "supporter",
            "patch",
            f"/api/v1/responses/{r.draft.pk}",
            {"answers": {"2": 2}},
            "answers",
            "2=2",
        ),
        "assessment create": (
            "supporter",
            "post",
            "/api/v1/assessments",
            {"engagement": engagement, "tier": 2, "rationale": "x", "assessed_on": _day(0)},
            "assessed_on",
            "today",
        ),
        "assessment update": (
            "supporter",
            "patch",
            f"/api/v1/assessments/{r.assessment.pk}",
            {"measure": "x"},
            "reassess_on",
            "next year",
        ),
        "exit start": (
            "supporter",
            "post",
            "/api/v1/exits",
            {"engagement": engagement, "reason": "goals_met"},
            "step_down_per_month",
            "twice",
        ),
        "exit step": (
            "supporter",
            "post",
            f"/api/v1/exits/{r.exit.pk}/steps",
            {"step": "ending_discussed"},
            "note",
            ["x"],
        ),
        "exit complete": (
            "supporter",
            "post",
            f"/api/v1/exits/{r.exit.pk}/complete",
            {"note": "x"},
            "steps",
            "all",
        ),
        "concern raise": (
            "supporter",
            "post",
            "/api/v1/concerns",
            {"category": "other", "description": "x"},
            "subject",
            "Omar",
        ),
        "concern assign": (
            "coordinator",
            "post",
            f"/api/v1/concerns/{r.concern.pk}/assign",
            {"handler": world.coordinator.pk},
            "handler",
            [1],
        ),
        "concern action": (
            "coordinator",
            "post",
            f"/api/v1/concerns/{r.concern.pk}/actions",
            {"text": "Called."},
            "text",
            5,
        ),
        "concern status": (
            "coordinator",
            "post",
            f"/api/v1/concerns/{r.concern.pk}/status",
            {"status": "in_review"},
            "resolution",
            False,
        ),
        "concern inform": (
            "coordinator",
            "post",
            f"/api/v1/concerns/{r.concern.pk}/inform",
            {"how": "phone"},
            "when",
            "at noon",
        ),
    }


NAMES = [
    "participant update",
    "referral create",
    "referral screening",
    "transition",
    "extension",
    "agreement",
    "consent create",
    "consent revoke",
    "meeting create",
    "meeting update",
    "meeting cancel",
    "meeting outcome",
    "goal create",
    "goal update",
    "step create",
    "step update",
    "check-in",
    "response create",
    "response update",
    "assessment create",
    "assessment update",
    "exit start",
    "exit step",
    "exit complete",
    "concern raise",
    "concern assign",
    "concern action",
    "concern status",
    "concern inform",
]


def send(client, method: str, path: str, body: dict):
    # The current version as If-Match: only the body can be wrong here.
    headers = {"If-Match": ", ".join(f'"{v}"' for v in range(1, 30))}
    return getattr(client, method)(path, body, content_type="application/json", headers=headers)


def test_every_write_is_listed():
    from alongside.api.urls import api

    schema = api.get_openapi_schema()
    writes = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "patch") and not path.startswith("/api/v1/auth")
    ]
    # Acknowledging a concern takes no body; every other write is checked below. A new
    # write of the API: add it to cases() and NAMES.
    assert len(writes) - 1 == len(NAMES), sorted(writes)


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_field_answers_422_naming_it_and_changes_nothing(world, api_as, records, name):
    persona, method, path, body, _field, _wrong = cases(world, records)[name]
    client = api_as(getattr(world, persona))  # issuing the token is itself recorded
    before = fingerprint()

    response = send(client, method, path, {**body, "colour": "blue"})

    assert response.status_code == 422, response.content
    assert "colour: Unknown field" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"][-1] == "colour"
    assert fingerprint() == before


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_type_answers_422_naming_it_and_changes_nothing(world, api_as, records, name):
    persona, method, path, body, field, wrong = cases(world, records)[name]
    client = api_as(getattr(world, persona))
    before = fingerprint()

    response = send(client, method, path, {**body, field: wrong})

    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert fingerprint() == before


def test_an_unknown_field_inside_the_referred_person_is_named(world, api_as):
    client = api_as(world.coordinator)
    before = fingerprint()
    body = {
        "participant": {"first_name": "Nova", "nickname": "No"},
        "program": world.program.pk,
        "source": "self",
        "needs": "x",
    }

    response = send(client, "post", "/api/v1/referrals", body)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("participant.nickname: Unknown field")
    assert fingerprint() == before
