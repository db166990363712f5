"""For tests (here and the access matrix): a record with something of every kind."""

from __future__ import annotations

import datetime

from django.utils import timezone

from alongside.consents.models import RevocationMethod
from alongside.consents.services import consent_create, consent_revoke
from alongside.engagements.models import StateChange, SupporterAssignment
from alongside.meetings.models import Meeting, MeetingStatus, Mode, PlaceType
from alongside.plans.models import PlanStyle
from alongside.plans.services import plan_create, step_create
from alongside.plans.testing import a_goal
from alongside.referrals.models import Referral
from alongside.surveys.services import response_record
from alongside.surveys.testing import WHO5_ANSWERS, installed

NOTE_SECRET = "Talked about a hard week at home"


def consent_elements(**changes) -> dict:
    today = timezone.localdate()
    values = {
        "signature_method": "paper",
        "signature_name": "Pat Rivera",
        "signed_on": today,
        "categories": ["attendance", "goals", "surveys", "referral"],
        "amount": "Everything in my record",
        "recipient_kind": "named",
        "recipient_name": "Eastside Clinic",
        "purposes": ["treatment"],
        "expires_on": today + datetime.timedelta(days=365),
    }
    values.update(changes)
    return values


def meetings_add(engagement, actor, count: int, status: str = MeetingStatus.HELD) -> None:
    start = timezone.now() - datetime.timedelta(days=2)
    Meeting.objects.bulk_create(
        Meeting(
            engagement=engagement,
            starts_at=start - datetime.timedelta(hours=6 * i),
            duration_minutes=45,
            mode=Mode.PHONE,
            status=status,
            created_by=actor,
        )
        for i in range(count)
    )


def full_record(world):
    """Pat's engagement with a referral, history, meetings of every status, goals, plans,
    a survey, and an active and a revoked consent."""
    engagement, supporter = world.engagement, world.supporter
    now = timezone.now()
    referral = Referral.objects.create(
        organization=world.org,
        program=world.program,
        participant=world.participant,
        source="hospital",
        referrer_name="Dr. Ray",
        referrer_organization="County Hospital",
        needs="Someone to talk to after discharge",
        urgency="soon",
        status="matched",
        received_by=world.coordinator,
    )
    engagement.referral = referral
    engagement.save(update_fields=["referral"])
    for days, before, after in ((40, "", "matched"), (30, "matched", "onboarding")):
        StateChange.objects.create(
            engagement=engagement,
            from_state=before,
            to_state=after,
            actor=world.coordinator,
            at=now - datetime.timedelta(days=days),
        )
    StateChange.objects.create(
        engagement=engagement,
        from_state="onboarding",
        to_state="active",
        actor=supporter,
        at=now - datetime.timedelta(days=20),
    )
    SupporterAssignment.objects.create(
        engagement=engagement,
        supporter=supporter,
        started_on=engagement.started_on,
        actor=world.coordinator,
    )
    statuses = [
        (MeetingStatus.HELD, Mode.IN_PERSON, PlaceType.HOME, -3),
        (MeetingStatus.HELD, Mode.VIDEO, PlaceType.VIRTUAL, -2),
        (MeetingStatus.MISSED, Mode.IN_PERSON, PlaceType.COMMUNITY, -1),
        (MeetingStatus.CANCELLED, Mode.PHONE, "", 1),
        (MeetingStatus.PLANNED, Mode.TEXT, "", 2),
    ]
    meetings = [
        Meeting.objects.create(
            engagement=engagement,
            starts_at=now + datetime.timedelta(days=days),
            duration_minutes=50,
            mode=mode,
            place_type=place,
            status=status,
            created_by=supporter,
        )
        for status, mode, place, days in statuses
    ]
    from alongside.meetings.models import Note

    Note.objects.create(meeting=meetings[0], author=supporter, body=NOTE_SECRET, summary="We met.")
    goal = a_goal(engagement, supporter, stage="contemplation", measure="Walks a week")
    step_create(
        goal=goal,
        actor=supporter,
        text="Find the park path",
        owner="both",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    second = a_goal(engagement, supporter, statement="Call my sister", wellness_dimension="social")
    first_plan = plan_create(
        engagement=engagement, actor=supporter, style=PlanStyle.ONGOING, goals=[goal]
    )
    plan = plan_create(
        engagement=engagement, actor=supporter, style=PlanStyle.INFORMAL_ONCE, goals=[goal, second]
    )
    response = response_record(
        engagement=engagement,
        version=installed("who-5"),
        actor=supporter,
        method="with_supporter",
        answers=WHO5_ANSWERS,
    )
    active = consent_create(
        participant=world.participant, engagement=engagement, actor=supporter, **consent_elements()
    )
    revoked = consent_create(
        participant=world.participant,
        actor=supporter,
        **consent_elements(recipient_name="Housing Office", purposes=["benefits"]),
    )
    consent_revoke(consent=revoked, actor=supporter, method=RevocationMethod.WRITTEN)
    return {
        "referral": referral,
        "meetings": meetings,
        "goals": [goal, second],
        "plans": [first_plan, plan],
        "response": response,
        "consents": [active, revoked],
    }
