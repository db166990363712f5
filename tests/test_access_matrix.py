"""Every URL for every persona: who gets the page, who is refused, and how.

Anonymous people are sent to sign in; a role without the capability gets 403;
a record outside one's scope (another supporter's, another organization's)
answers 404, so its existence is not revealed. A URL missing from ACCESS fails
``test_every_url_has_an_access_expectation``: no page ships unprotected.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from alongside.accounts.second_factor import requires_second_factor
from alongside.accounts.testing import give_app, next_code
from alongside.agreements.services import document_record_paper
from alongside.api.services import api_token_issue
from alongside.assessments.services import assessment_record
from alongside.assessments.testing import an_assessment
from alongside.concerns.models import Concern
from alongside.contacts.services import contact_log
from alongside.exits.services import exit_complete, exit_start
from alongside.exits.testing import checklist_done
from alongside.matching.models import MatchBatch
from alongside.meetings.calendar import calendar_feed_issue
from alongside.meetings.models import Meeting
from alongside.meetings.notes import note_save
from alongside.meetings.services import meeting_schedule
from alongside.plans.models import Goal
from alongside.plans.services import step_create
from alongside.plans.testing import a_formal_plan, a_goal
from alongside.referrals.models import Referral
from alongside.reports.services import build_request, build_run, saved_report_create
from alongside.supervision.models import FollowUp
from alongside.supervision.services import session_record
from alongside.surveys.services import response_record, response_start
from alongside.surveys.testing import WHO5_ANSWERS, installed
from conftest import PASSWORD

PERSONAS = [
    "anonymous",
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]
SIGN_IN = "sign-in"  # a redirect to the sign-in page

# Expected status per persona; where a persona is not named, it gets `default`.
STAFF_PAGE = {
    "anonymous": SIGN_IN,
    "admin": 403,
    "participant_user": 403,
    "default": 200,
}
COORDINATOR_PAGE = {
    "anonymous": SIGN_IN,
    "coordinator": 200,
    "outsider": 200,  # their own organization's (empty) page
    "default": 403,
}
COORDINATOR_RECORD = {**COORDINATOR_PAGE, "outsider": 404}
ENGAGEMENT_READ = {
    "anonymous": SIGN_IN,
    "admin": 403,
    "participant_user": 403,
    "other_supporter": 404,
    "outsider": 404,
    "default": 200,
}
ENGAGEMENT_WRITE = {**ENGAGEMENT_READ, "supervisor": 403}
# Supporters (and coordinators) keep their own calendar feed.
MEETINGS_KEEPER = {
    "anonymous": SIGN_IN,
    "admin": 403,
    "supervisor": 403,
    "participant_user": 403,
    "default": 200,
}
SUPERVISOR_ONLY = {"anonymous": SIGN_IN, "supervisor": 200, "default": 403}
PORTAL_PAGE = {"anonymous": SIGN_IN, "participant_user": 200, "default": 403}
ANY_ROLE_BUT_ADMIN = {"anonymous": SIGN_IN, "admin": 403, "default": 200}
SIGNED_IN = {"anonymous": SIGN_IN, "default": 200}


def _engagement(world):
    return {"pk": world.engagement.pk}


def _participant(world):
    return {"pk": world.participant.pk}


def _referral(world):
    referral = Referral.objects.create(
        organization=world.org,
        program=world.program,
        participant=world.other_participant,
        source="self",
        needs="Someone to talk to",
        status="accepted",
    )
    return {"pk": referral.pk}


def _batch(world):
    referral = _referral(world)["pk"]
    batch = MatchBatch.objects.create(
        organization=world.org,
        created_by=world.coordinator,
        proposal=[{"referral": referral, "supporter": world.supporter.pk, "score": 50}],
    )
    return {"pk": batch.pk}


def _goal(world):
    goal = Goal.objects.create(
        engagement=world.engagement,
        statement="Walk to the park twice a week",
        wellness_dimension="physical",
        created_by=world.supporter,
    )
    return {"pk": goal.pk}


def _saved_report(world):
    saved = saved_report_create(
        owner=world.coordinator,
        organization=world.org,
        report="volume",
        title="Volume",
        params={},
        period="previous_month",
        fmt="csv",
        monthly=True,
    )
    return {"pk": saved.pk}


def _report_build(world):
    build = build_request(
        user=world.coordinator, organization=world.org, report="volume", params={}, fmt="csv"
    )
    return {"pk": build_run(build).pk}


def _own_token(world):
    api_token_issue(user=world.supporter, name="Calendar sync")
    return {"pk": world.supporter.api_tokens.get().pk}


def _concern(world):
    concern = Concern.objects.create(
        organization=world.org,
        engagement=world.engagement,
        raised_by=world.participant_user,
        category="service",
        description="Meetings keep being moved.",
    )
    return {"pk": concern.pk}


def _consent(world):
    from alongside.consents.services import consent_create

    consent = consent_create(
        participant=world.participant,
        engagement=world.engagement,
        actor=world.supporter,
        signature_method="paper",
        signature_name="Pat Rivera",
        signed_on=timezone.localdate(),
        categories=["attendance"],
        amount="Meeting dates",
        recipient_kind="named",
        recipient_name="Eastside Clinic",
        purposes=["treatment"],
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    return {"pk": consent.pk}


def _disclosure(world):
    from alongside.consents.services import disclosure_make

    _consent(world)
    disclosure = disclosure_make(
        participant=world.participant,
        recipient="Eastside Clinic",
        purpose="treatment",
        categories=["attendance"],
        actor=world.supporter,
        content="Met weekly.",
    )
    return {"pk": disclosure.pk}


def _consent_id(world):
    return {"consent_id": _consent(world)["pk"]}


def _consent_body(world):
    return {
        "participant": world.participant.pk,
        "signature_name": "Pat Rivera",
        "signed_on": timezone.localdate().isoformat(),
        "categories": ["attendance"],
        "amount": "Meeting dates",
        "recipient_kind": "named",
        "recipient_name": "Eastside Clinic",
        "purposes": ["treatment"],
        "expiry_event": "when my support here ends",
    }


def _signed_document(world):
    return {"pk": world.signed[0].pk}


def _document_to_sign(world):
    return {"pk": world.engagement.pk, "template": world.release.pk}


def _document_to_sign_in_person(world):
    return {**_document_to_sign(world), "role": "guardian"}


def _held_meeting(world):
    return Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=45,
        mode="in_person",
    )


def _meeting_with_note(world, finalize=False):
    meeting = _held_meeting(world)
    note_save(
        meeting=meeting,
        actor=world.supporter,
        expected_version=0,
        body="Talked about work.",
        finalize=finalize,
    )
    return {"pk": meeting.pk}


def _meeting(world):
    meeting = meeting_schedule(
        engagement=world.engagement,
        actor=world.supporter,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        mode="in_person",
        place_type="office",
        allow_overlap=True,
    )
    return {"pk": meeting.pk}


def _calendar_token(world):
    return {"token": calendar_feed_issue(user=world.supporter, organization=world.org)}


def _meeting_id(world):
    return {"meeting_id": _meeting(world)["pk"]}


def _goal_id(world):
    return {"goal_id": _goal(world)["pk"]}


def _response_id(world):
    response = response_record(
        engagement=world.engagement,
        version=installed("who-5"),
        actor=world.supporter,
        method="with_supporter",
        answers=WHO5_ANSWERS,
    )
    return {"response_id": response.pk}


def _response_body(world):
    installed("who-5")  # the shipped definitions, installed for this test
    return {"engagement": world.engagement.pk, "instrument": "who-5", "answers": WHO5_ANSWERS}


def _survey_draft(world):
    draft = response_start(
        engagement=world.engagement,
        version=installed("who-5"),
        actor=world.supporter,
        method="paper",
    )
    return {"pk": draft.pk}


def _assessment(world):
    return {"pk": an_assessment(world.engagement, world.supporter).pk}


def _assessment_to_sign(world):
    return {**_assessment(world), "role": "participant"}


def _response_draft_id(world):
    return {"response_id": _survey_draft(world)["pk"]}


def _survey_to_fill(world):
    return {"pk": world.engagement.pk, "slug": installed("who-5").instrument.slug}


def _portal_survey(world):
    installed("who-5")
    return {"slug": "who-5"}


def _assessment_id(world):
    assessment = assessment_record(
        engagement=world.engagement,
        actor=world.supporter,
        tier=1,
        rationale="Steady progress.",
        assessed_on=timezone.localdate(),
    )
    return {"assessment_id": assessment.pk}


def _exit_started(world):
    exit_ = exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    return {"exit_id": exit_.pk}


def _exit_id(world):
    """An exit ready to complete: the concluding checklist is done."""
    ids = _exit_started(world)
    checklist_done(world.engagement, world.supporter)
    return ids


def _closed_with_exit(world):
    _exit_id(world)
    exit_complete(engagement=world.engagement, actor=world.supporter)
    return {"pk": world.engagement.pk}


def _step(world):
    goal = a_goal(world.engagement, world.supporter)
    step = step_create(goal=goal, actor=world.supporter, text="Call the library", owner="both")
    return {"pk": step.pk}


def _plan(world):
    return {"pk": a_formal_plan(world.engagement, world.supporter).pk}


def _plan_to_sign(world):
    return {**_plan(world), "role": "participant"}


def _contact(world):
    contact = contact_log(
        engagement=world.engagement,
        actor=world.supporter,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        channel="phone",
        initiated_by="participant",
        callback_requested=True,
    )
    return {"pk": contact.pk}


def _supervisee(world):
    return {"pk": world.supporter.pk}


def _supervision_session(world):
    session = session_record(
        supervisor=world.supervisor,
        supporter=world.supporter,
        organization=world.org,
        held_on=timezone.localdate(),
        duration_minutes=45,
        topics="Boundaries",
        engagements=[world.engagement],
        follow_up="Revisit the hours",
    )
    return {"pk": session.pk}


def _follow_up(world):
    return {"pk": FollowUp.objects.get(session_id=_supervision_session(world)["pk"]).pk}


def _scanned_document(world):
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    signed = document_record_paper(
        engagement=world.engagement,
        version=world.release.current,
        signer_name="Ana Rivera",
        role="guardian",
        relationship="Mother",
        signed_on=timezone.localdate(),
        actor=world.supporter,
        scan=scan,
    )
    return {"pk": signed.pk}


def _none(world):
    return {}


# url name → (kwargs factory, HTTP method, expectations)
def _emergency_access(world):
    """Cora's emergency access to Rae, outside every program she coordinates."""
    from alongside.breakglass.services import emergency_access_grant
    from alongside.organizations.models import Program
    from alongside.participants.models import Participant
    from conftest import open_engagement

    crisis = Program.objects.create(organization=world.org, name="Crisis Stabilization")
    rae = Participant.objects.create(organization=world.org, first_name="Rae")
    open_engagement(rae, crisis, world.other_supporter)
    access = emergency_access_grant(
        actor=world.coordinator,
        organization=world.org,
        participant=rae,
        reason="Her sister called: Rae is in crisis tonight.",
    )
    return {"pk": access.pk}


ACCESS = {
    "home": (_none, "get", {"anonymous": SIGN_IN, "default": 302}),
    "dashboard": (_none, "get", STAFF_PAGE),
    # Anyone may choose a language; a post without one is refused (tested further in
    # tests/test_translations.py).
    "language": (_none, "post", {"default": 400}),
    "accounts:login": (_none, "get", {"anonymous": 200, "default": 302}),
    "accounts:logout": (_none, "post", {"default": 302}),
    "accounts:organization": (_none, "get", SIGNED_IN),
    "accounts:password": (_none, "get", SIGNED_IN),
    "accounts:password_done": (_none, "get", SIGNED_IN),
    # Everyone's own sign-in and security pages; a finished sign-in passes the code page on.
    "accounts:second_factor_verify": (_none, "get", {"anonymous": SIGN_IN, "default": 302}),
    "accounts:second_factor_setup": (_none, "get", SIGNED_IN),
    "accounts:second_factor_off": (_none, "post", {"anonymous": SIGN_IN, "default": 302}),
    "accounts:recovery_codes_renew": (_none, "post", {"anonymous": SIGN_IN, "default": 302}),
    "accounts:security": (_none, "get", SIGNED_IN),
    "accounts:sessions_end": (_none, "post", {"anonymous": SIGN_IN, "default": 302}),
    "accounts:keep_alive": (_none, "post", {"anonymous": 401, "default": 204}),
    "participants:portal_invite": (_participant, "get", ENGAGEMENT_WRITE),
    # Coordinators of their programs and the supporter of their open engagement; Sam
    # (supervisor) reads Pat's engagement but changes nothing.
    "participants:edit": (_participant, "get", ENGAGEMENT_WRITE),
    "accounts:profile": (
        _none,
        "get",
        {"anonymous": SIGN_IN, "supporter": 200, "other_supporter": 200, "default": 403},
    ),
    "notifications:list": (_none, "get", SIGNED_IN),
    # Emergency access: a coordinator breaks the glass (their own grants only, in their own
    # organization); the organization's admins review every grant.
    "breakglass:request": (_none, "get", COORDINATOR_PAGE),
    "breakglass:detail": (_emergency_access, "get", COORDINATOR_RECORD),
    "breakglass:reviews": (_none, "get", {"anonymous": SIGN_IN, "admin": 200, "default": 403}),
    "breakglass:review": (
        _emergency_access,
        "get",
        {"anonymous": SIGN_IN, "admin": 200, "default": 403},
    ),
    "notifications:read_all": (_none, "post", {"anonymous": SIGN_IN, "default": 302}),
    "referrals:list": (_none, "get", COORDINATOR_PAGE),
    "referrals:waitlist": (_none, "get", COORDINATOR_PAGE),
    "referrals:public": (lambda world: {"slug": world.org.slug}, "get", {"default": 200}),
    "referrals:public_done": (lambda world: {"slug": world.org.slug}, "get", {"default": 200}),
    "referrals:create": (_none, "get", COORDINATOR_PAGE),
    "referrals:detail": (_referral, "get", COORDINATOR_RECORD),
    "matching:suggest": (_referral, "get", COORDINATOR_RECORD),
    # Naming nobody: the coordinator is sent back to the suggestions with a message.
    "matching:declined": (_referral, "post", {**COORDINATOR_RECORD, "coordinator": 302}),
    "matching:conflict": (_referral, "post", {**COORDINATOR_RECORD, "coordinator": 302}),
    # Selecting nothing: back to the waitlist with a message.
    "matching:batch_propose": (
        _none,
        "post",
        {**COORDINATOR_PAGE, "coordinator": 302, "outsider": 302},
    ),
    "matching:batch_detail": (_batch, "get", COORDINATOR_RECORD),
    "matching:change_supporter": (
        _engagement,
        "get",
        {**ENGAGEMENT_READ, "supervisor": 403, "supporter": 403, "other_supporter": 403},
    ),
    "engagements:list": (_none, "get", STAFF_PAGE),
    "engagements:detail": (_engagement, "get", ENGAGEMENT_READ),
    "engagements:timeline": (_engagement, "get", ENGAGEMENT_READ),
    "meetings:detail": (_meeting, "get", ENGAGEMENT_READ),
    "meetings:reschedule": (_meeting, "get", ENGAGEMENT_WRITE),
    "meetings:cancel": (_meeting, "get", ENGAGEMENT_WRITE),
    # A meeting still to come: the page explains what can be recorded, 200.
    "meetings:outcome": (_meeting, "get", ENGAGEMENT_WRITE),
    # Olga sees her own organization's chooser.
    "meetings:week": (_none, "get", STAFF_PAGE),
    "meetings:day": (_none, "get", STAFF_PAGE),
    "meetings:calendar": (_none, "get", MEETINGS_KEEPER),
    # Shows the new address once.
    "meetings:calendar_new": (_none, "post", MEETINGS_KEEPER),
    "meetings:calendar_revoke": (_none, "post", {**MEETINGS_KEEPER, "default": 302}),
    # No sign-in: the secret address is the key; an unknown token answers 404 (tested).
    "meetings:feed": (_calendar_token, "get", {"default": 200}),
    "plans:goal_detail": (_goal, "get", ENGAGEMENT_READ),
    "plans:step_create": (_goal, "get", ENGAGEMENT_WRITE),
    "plans:check_in_create": (_goal, "get", ENGAGEMENT_WRITE),
    "plans:step_edit": (_step, "get", ENGAGEMENT_WRITE),
    # Without a version it redirects back to the goal with a message.
    "plans:step_mark": (_step, "post", {**ENGAGEMENT_WRITE, "default": 302}),
    "plans:plan_create": (_engagement, "get", ENGAGEMENT_WRITE),
    "plans:plan_detail": (_plan, "get", ENGAGEMENT_READ),
    "plans:plan_edit": (_plan, "get", ENGAGEMENT_WRITE),
    # A coordinator may host the participant's signing; only Sunny signs as supporter.
    "plans:plan_sign": (_plan_to_sign, "get", ENGAGEMENT_WRITE),
    "plans:plan_pdf": (_plan, "get", ENGAGEMENT_READ),
    "plans:portal_goals": (_none, "get", PORTAL_PAGE),
    # Pat's own plan; another participant's answers 404 (tested in the app).
    "plans:portal_plan_sign": (_plan, "get", PORTAL_PAGE),
    "plans:portal_plan_pdf": (_plan, "get", PORTAL_PAGE),
    "contacts:list": (_engagement, "get", ENGAGEMENT_READ),
    "contacts:create": (_engagement, "get", ENGAGEMENT_WRITE),
    "contacts:callback_returned": (_contact, "get", ENGAGEMENT_WRITE),
    # Coordinators and participants (and Olga, a coordinator elsewhere) lack supervision.view.
    "supervision:list": (
        _none,
        "get",
        {
            "anonymous": SIGN_IN,
            "coordinator": 403,
            "participant_user": 403,
            "outsider": 403,
            "default": 200,
        },
    ),
    "supervision:supporter": (_supervisee, "get", SUPERVISOR_ONLY),
    "supervision:create": (_supervisee, "get", SUPERVISOR_ONLY),
    # The admin sees a session's date, people and topics only (tested in the app).
    "supervision:detail": (
        _supervision_session,
        "get",
        {
            "anonymous": SIGN_IN,
            "admin": 200,
            "supervisor": 200,
            "supporter": 200,
            "other_supporter": 404,
            "default": 403,
        },
    ),
    "supervision:edit": (_supervision_session, "get", SUPERVISOR_ONLY),
    # An empty follow-up: 400, nothing saved.
    "supervision:follow_up_add": (
        _supervision_session,
        "post",
        {"anonymous": SIGN_IN, "supervisor": 400, "default": 403},
    ),
    "supervision:follow_up_done": (
        _follow_up,
        "post",
        {"anonymous": SIGN_IN, "supervisor": 302, "default": 403},
    ),
    "notes:detail": (_meeting_with_note, "get", ENGAGEMENT_READ),
    "notes:write": (lambda world: {"pk": _held_meeting(world).pk}, "get", ENGAGEMENT_WRITE),
    # Without a version the draft is not signed: back to the note with a message.
    "notes:finalize": (_meeting_with_note, "post", {**ENGAGEMENT_WRITE, "default": 302}),
    "notes:addendum": (
        lambda world: _meeting_with_note(world, finalize=True),
        "get",
        ENGAGEMENT_WRITE,
    ),
    # A POST without a choice redirects back to the page with a message.
    "engagements:transition": (_engagement, "post", {**ENGAGEMENT_WRITE, "default": 302}),
    "engagements:onboarding_step": (_engagement, "post", {**ENGAGEMENT_WRITE, "default": 302}),
    # Extending support past the guideline is a coordinator's decision.
    "engagements:extend": (_engagement, "get", COORDINATOR_RECORD),
    "agreements:record": (_engagement, "get", ENGAGEMENT_WRITE),
    "agreements:sign_in_person": (_document_to_sign_in_person, "get", ENGAGEMENT_WRITE),
    "agreements:pdf": (_signed_document, "get", ENGAGEMENT_READ),
    "agreements:scan": (_scanned_document, "get", ENGAGEMENT_READ),
    "agreements:portal_list": (_none, "get", PORTAL_PAGE),
    # Pat's own engagement; another participant's answers 404 (tested in the app).
    "agreements:portal_sign": (_document_to_sign, "get", PORTAL_PAGE),
    "agreements:portal_pdf": (_signed_document, "get", PORTAL_PAGE),
    "meetings:create": (_engagement, "get", ENGAGEMENT_WRITE),
    "plans:goal_create": (_engagement, "get", ENGAGEMENT_WRITE),
    "plans:goal_edit": (_goal, "get", ENGAGEMENT_WRITE),
    "assessments:create": (_engagement, "get", ENGAGEMENT_WRITE),
    "assessments:goal_review_create": (_engagement, "get", ENGAGEMENT_WRITE),
    "assessments:detail": (_assessment, "get", ENGAGEMENT_READ),
    "assessments:edit": (_assessment, "get", ENGAGEMENT_WRITE),
    "assessments:sign": (_assessment_to_sign, "get", ENGAGEMENT_WRITE),
    "assessments:pdf": (_assessment, "get", ENGAGEMENT_READ),
    "assessments:portal_list": (_none, "get", PORTAL_PAGE),
    # Pat's own assessment; another participant's answers 404 (tested in the app).
    "assessments:portal_sign": (_assessment, "get", PORTAL_PAGE),
    "assessments:portal_pdf": (_assessment, "get", PORTAL_PAGE),
    "exits:start": (_engagement, "get", ENGAGEMENT_WRITE),
    "exits:complete": (_engagement, "get", ENGAGEMENT_WRITE),
    # A POST without a step redirects back to the engagement page with a message.
    "exits:step": (_engagement, "post", {**ENGAGEMENT_WRITE, "default": 302}),
    "exits:summary_pdf": (_closed_with_exit, "get", ENGAGEMENT_READ),
    # Pat's own closure summary; another participant's answers 404 (tested in the app).
    "exits:portal_summary_pdf": (_closed_with_exit, "get", PORTAL_PAGE),
    "exits:reopen": (_closed_with_exit, "get", COORDINATOR_RECORD),
    "concerns:list": (_none, "get", COORDINATOR_PAGE),
    "concerns:detail": (_concern, "get", COORDINATOR_RECORD),
    "concerns:create": (_none, "get", ANY_ROLE_BUT_ADMIN),
    "concerns:mine": (_none, "get", ANY_ROLE_BUT_ADMIN),
    "surveys:record_choose": (_engagement, "get", ENGAGEMENT_WRITE),
    "surveys:record_new": (_survey_to_fill, "get", ENGAGEMENT_WRITE),
    "surveys:record_edit": (_survey_draft, "get", ENGAGEMENT_WRITE),
    "surveys:portal_list": (_none, "get", PORTAL_PAGE),
    "surveys:portal_fill": (_portal_survey, "get", PORTAL_PAGE),
    "concerns:acknowledge": (_concern, "post", {**COORDINATOR_RECORD, "coordinator": 302}),
    "concerns:assign": (_concern, "get", COORDINATOR_RECORD),
    "concerns:action": (_concern, "get", COORDINATOR_RECORD),
    "concerns:resolve": (_concern, "get", COORDINATOR_RECORD),
    "concerns:inform": (_concern, "get", COORDINATOR_RECORD),
    # The public page: no sign-in, anonymous concerns allowed.
    "concerns:public": (lambda world: {"slug": world.org.slug}, "get", {"default": 200}),
    "concerns:public_done": (lambda world: {"slug": world.org.slug}, "get", {"default": 200}),
    "portal:home": (_none, "get", PORTAL_PAGE),
    "emergencyplans:view": (_engagement, "get", ENGAGEMENT_READ),
    "emergencyplans:edit": (_engagement, "get", ENGAGEMENT_WRITE),
    "teamplans:view": (_engagement, "get", ENGAGEMENT_READ),
    "teamplans:edit": (_engagement, "get", ENGAGEMENT_WRITE),
    # Without a worksheet it redirects back to the worksheet page with a message.
    "teamplans:review": (_engagement, "post", {**ENGAGEMENT_WRITE, "default": 302}),
    "portal:emergency_plan": (_none, "get", PORTAL_PAGE),
    "portal:emergency_plan_edit": (_none, "get", PORTAL_PAGE),
    "consents:create": (_engagement, "get", ENGAGEMENT_WRITE),
    "consents:detail": (_consent, "get", ENGAGEMENT_READ),
    "consents:revoke": (_consent, "get", ENGAGEMENT_WRITE),
    "consents:disclosure_create": (_engagement, "get", ENGAGEMENT_WRITE),
    "consents:disclosure_detail": (_disclosure, "get", ENGAGEMENT_READ),
    "consents:portal_list": (_none, "get", PORTAL_PAGE),
    "consents:portal_create": (_none, "get", PORTAL_PAGE),
    "consents:portal_revoke": (_consent, "get", PORTAL_PAGE),
    "consents:portal_disclosures": (_none, "get", PORTAL_PAGE),
    "consents:portal_accounting": (_none, "get", PORTAL_PAGE),
    "consents:pdf": (_consent, "get", ENGAGEMENT_READ),
    "consents:disclosure_pdf": (_disclosure, "get", ENGAGEMENT_READ),
    "consents:portal_pdf": (_consent, "get", PORTAL_PAGE),
    "reports:index": (_none, "get", COORDINATOR_PAGE),
    "reports:report": (lambda world: {"name": "volume"}, "get", COORDINATOR_PAGE),
    "reports:download": (lambda world: {"name": "funnel", "fmt": "csv"}, "get", COORDINATOR_PAGE),
    "reports:save": (lambda world: {"name": "volume"}, "get", COORDINATOR_PAGE),
    "reports:meetings_csv": (_none, "get", COORDINATOR_PAGE),
    "reports:meetings_build": (
        _none,
        "post",
        {**COORDINATOR_PAGE, "coordinator": 302, "outsider": 302},
    ),
    "reports:saved": (_none, "get", COORDINATOR_PAGE),
    "reports:saved_build": (_saved_report, "post", {**COORDINATOR_RECORD, "coordinator": 302}),
    "reports:saved_delete": (_saved_report, "post", {**COORDINATOR_RECORD, "coordinator": 302}),
    "reports:build_download": (_report_build, "get", COORDINATOR_RECORD),
    "api_tokens:list": (_none, "get", SIGNED_IN),
    "api_tokens:create": (_none, "get", SIGNED_IN),
    # A token is its owner's alone: anyone else's lookup finds nothing.
    "api_tokens:revoke": (
        _own_token,
        "get",
        {"anonymous": SIGN_IN, "supporter": 200, "default": 404},
    ),
    "portal:record": (_none, "get", PORTAL_PAGE),
    # Pat's own contact details; there is no one else's to ask for.
    "portal:details": (_none, "get", PORTAL_PAGE),
    "portal:record_download": (lambda world: {"fmt": "fhir"}, "get", PORTAL_PAGE),
    "portal:access_history": (_none, "get", PORTAL_PAGE),
    "portal:goal_check_in": (_goal, "get", PORTAL_PAGE),
    "records:request": (_participant, "get", COORDINATOR_RECORD),
    # The retention purge: organization admins only.
    "records:retention": (_none, "get", {"anonymous": SIGN_IN, "admin": 200, "default": 403}),
}

# The API answers JSON: 401 without credentials instead of a redirect.
API_READ = {**ENGAGEMENT_READ, "anonymous": 401}
API_WRITE = {**ENGAGEMENT_WRITE, "anonymous": 401}
API_STAFF = {**STAFF_PAGE, "anonymous": 401}
API_COORDINATOR = {**COORDINATOR_PAGE, "anonymous": 401}
API_COORDINATOR_RECORD = {**COORDINATOR_RECORD, "anonymous": 401}


def _referral_body(world):
    return {
        "program": world.program.pk,
        "participant": {"first_name": "Ana", "preferred_language": "en"},
        "source": "self",
        "needs": "Someone who has been there.",
    }


def _engagement_id(world):
    return {"engagement_id": world.engagement.pk}


def _credentials(world):
    return None  # filled in per persona by the test


def _concern_id(world):
    return {"concern_id": _concern(world)["pk"]}


def _step_ids(world):
    goal = Goal.objects.get(pk=_goal(world)["pk"])
    step = step_create(
        goal=goal, actor=world.supporter, text="Call the choir", owner="participant"
    )
    return {"goal_id": goal.pk, "step_id": step.pk}


# url name -> (kwargs factory, method, body factory, expectations); requests carry the
# persona's bearer token.
API_ACCESS = {
    "api:participant_fhir": (
        lambda world: {"participant_id": world.participant.pk},
        "get",
        None,
        {**API_READ, "participant_user": 200},
    ),
    "api:engagement_fhir": (
        _engagement_id,
        "get",
        None,
        {**API_READ, "participant_user": 200},
    ),
    "api:report_list": (_none, "get", None, API_COORDINATOR),
    "api:report_read": (lambda world: {"name": "volume"}, "get", None, API_COORDINATOR),
    "api:referral_screen_endpoint": (
        lambda world: {"referral_id": _referral(world)["pk"]},
        "post",
        lambda world: {"decision": "waitlist", "priority": 2},
        API_COORDINATOR_RECORD,
    ),
    "api:engagement_extend_endpoint": (
        _engagement_id,
        "post",
        lambda world: {
            "until": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
            "reason": "Housing move.",
        },
        {**API_COORDINATOR_RECORD, "coordinator": 428},
    ),
    "api:assessment_update_endpoint": (
        _assessment_id,
        "patch",
        lambda world: {"measure": "Weekly"},
        {**API_WRITE, "default": 428},
    ),
    "api:step_create_endpoint": (
        _goal_id,
        "post",
        lambda world: {"text": "Call the choir"},
        {**API_WRITE, "default": 201},
    ),
    "api:step_update_endpoint": (
        _step_ids,
        "patch",
        lambda world: {"notes": "x"},
        {**API_WRITE, "default": 428},
    ),
    "api:check_in_create_endpoint": (
        _goal_id,
        "post",
        lambda world: {"rating": 3},
        {**API_WRITE, "default": 201},
    ),
    "api:concern_acknowledge_endpoint": (_concern_id, "post", None, API_COORDINATOR_RECORD),
    "api:concern_assign_endpoint": (
        _concern_id,
        "post",
        lambda world: {"handler": world.coordinator.pk},
        API_COORDINATOR_RECORD,
    ),
    "api:concern_action_endpoint": (
        _concern_id,
        "post",
        lambda world: {"text": "Called Pat."},
        {**API_COORDINATOR_RECORD, "coordinator": 201},
    ),
    "api:concern_status_endpoint": (
        _concern_id,
        "post",
        lambda world: {"status": "in_review"},
        API_COORDINATOR_RECORD,
    ),
    "api:concern_inform_endpoint": (
        _concern_id,
        "post",
        lambda world: {"how": "phone"},
        API_COORDINATOR_RECORD,
    ),
    "api:api-root": (_none, "get", None, {"default": 404}),
    "api:openapi-json": (_none, "get", None, {"default": 200}),
    "api:token_issue": (_none, "post", _credentials, {"anonymous": 401, "default": 200}),
    "api:token_revoke": (_none, "delete", None, {"anonymous": 401, "default": 204}),
    "api:participant_list": (_none, "get", None, API_STAFF),
    "api:participant_read": (
        lambda world: {"participant_id": world.participant.pk},
        "get",
        None,
        API_READ,
    ),
    # The matrix sends no If-Match: those who may change Pat's details are asked for one.
    "api:participant_update_endpoint": (
        lambda world: {"participant_id": world.participant.pk},
        "patch",
        lambda world: {"phone": "555-201-3344"},
        {**API_WRITE, "default": 428},
    ),
    "api:referral_list": (_none, "get", None, API_COORDINATOR),
    "api:referral_create_endpoint": (
        _none,
        "post",
        _referral_body,
        {**API_COORDINATOR, "coordinator": 201, "outsider": 404},
    ),
    "api:referral_read": (
        lambda world: {"referral_id": _referral(world)["pk"]},
        "get",
        None,
        API_COORDINATOR_RECORD,
    ),
    "api:engagement_list": (_none, "get", None, API_STAFF),
    "api:engagement_read": (_engagement_id, "get", None, API_READ),
    # A participant's own token reads their own signed documents; staff record paper ones.
    "api:agreement_list": (_none, "get", None, {**API_STAFF, "participant_user": 200}),
    "api:agreement_read": (
        lambda world: {"agreement_id": world.signed[0].pk},
        "get",
        None,
        {**API_READ, "participant_user": 200},
    ),
    "api:agreement_create_endpoint": (
        _none,
        "post",
        lambda world: {
            "engagement": world.engagement.pk,
            "template": world.release.pk,
            "signed_on": timezone.localdate().isoformat(),
            "signer_name": "Ana Rivera",
            "role": "guardian",
            "signer_relationship": "Mother",
        },
        {**API_WRITE, "default": 201},
    ),
    # A participant's own token reads and signs their own consents.
    "api:consent_list": (_none, "get", None, {**API_STAFF, "participant_user": 200}),
    "api:consent_read": (_consent_id, "get", None, {**API_READ, "participant_user": 200}),
    "api:consent_create_endpoint": (
        _none,
        "post",
        _consent_body,
        {**API_WRITE, "default": 201, "participant_user": 201},
    ),
    "api:consent_revoke_endpoint": (
        _consent_id,
        "post",
        lambda world: {},
        {**API_WRITE, "participant_user": 200},
    ),
    "api:engagement_transition_endpoint": (
        _engagement_id,
        "post",
        lambda world: {"to": "exiting", "reason": "Moving away"},
        API_WRITE,
    ),
    # A participant's own token reads their own meetings and goals; supervisors only read.
    "api:meeting_list": (_none, "get", None, {**API_STAFF, "participant_user": 200}),
    "api:meeting_read": (_meeting_id, "get", None, {**API_READ, "participant_user": 200}),
    "api:meeting_create_endpoint": (
        _none,
        "post",
        lambda world: {
            "engagement": world.engagement.pk,
            "starts_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
            "mode": "phone",
            "place_type": "virtual",
        },
        {**API_WRITE, "default": 201},
    ),
    # Changes need If-Match; the matrix sends none, so those allowed get 428 (after the
    # capability and scope checks, so the row still shows who may write).
    "api:meeting_update_endpoint": (
        _meeting_id,
        "patch",
        lambda world: {"duration_minutes": 45},
        {**API_WRITE, "default": 428},
    ),
    "api:meeting_cancel_endpoint": (
        _meeting_id,
        "post",
        lambda world: {"reason": "Clash"},
        {**API_WRITE, "default": 428},
    ),
    "api:meeting_outcome_endpoint": (
        _meeting_id,
        "post",
        lambda world: {"outcome": "missed"},
        {**API_WRITE, "default": 428},
    ),
    # A participant's own token records (as portal) and reads their own survey responses;
    # supervisors only read.
    "api:response_list": (_none, "get", None, {**API_STAFF, "participant_user": 200}),
    "api:response_read": (_response_id, "get", None, {**API_READ, "participant_user": 200}),
    "api:response_create_endpoint": (
        _none,
        "post",
        _response_body,
        {**API_WRITE, "default": 201, "participant_user": 201},
    ),
    # The matrix sends no If-Match: those who may continue the draft are asked for one.
    "api:response_update_endpoint": (
        _response_draft_id,
        "patch",
        lambda world: {"answers": {"2": 2}},
        {**API_WRITE, "default": 428},
    ),
    # Instruments hold no personal data: anyone with a role lists them.
    "api:instrument_list": (_none, "get", None, {"anonymous": 401, "default": 200}),
    # The portal shows neither assessments nor exits: participants 403; supervisors read.
    "api:assessment_list": (_none, "get", None, API_STAFF),
    "api:assessment_read": (_assessment_id, "get", None, API_READ),
    "api:assessment_create_endpoint": (
        _none,
        "post",
        lambda world: {
            "engagement": world.engagement.pk,
            "tier": 2,
            "rationale": "Holding steady.",
            "assessed_on": timezone.localdate().isoformat(),
        },
        {**API_WRITE, "default": 201},
    ),
    "api:exit_list": (_none, "get", None, API_STAFF),
    "api:exit_read": (_exit_id, "get", None, API_READ),
    "api:exit_start_endpoint": (
        _none,
        "post",
        lambda world: {"engagement": world.engagement.pk, "reason": "goals_met"},
        {**API_WRITE, "default": 201},
    ),
    "api:exit_complete_endpoint": (_exit_id, "post", lambda world: {}, API_WRITE),
    "api:exit_step_endpoint": (
        _exit_started,
        "post",
        lambda world: {"step": "growth_reflected"},
        API_WRITE,
    ),
    "api:concern_list": (_none, "get", None, {"anonymous": 401, "admin": 403, "default": 200}),
    "api:concern_read": (
        lambda world: {"concern_id": _concern(world)["pk"]},
        "get",
        None,
        {
            "anonymous": 401,
            "admin": 403,
            "coordinator": 200,
            "participant_user": 200,
            "default": 404,
        },
    ),
    "api:concern_create_endpoint": (
        _none,
        "post",
        lambda world: {"category": "service", "description": "Meetings keep being moved."},
        {"anonymous": 401, "admin": 403, "default": 201},
    ),
    "api:goal_list": (_none, "get", None, {**API_STAFF, "participant_user": 200}),
    "api:goal_read": (_goal_id, "get", None, {**API_READ, "participant_user": 200}),
    "api:goal_create_endpoint": (
        _none,
        "post",
        lambda world: {
            "engagement": world.engagement.pk,
            "statement": "Get back to the choir",
            "wellness_dimension": "social",
        },
        {**API_WRITE, "default": 201},
    ),
    "api:goal_update_endpoint": (
        _goal_id,
        "patch",
        lambda world: {"measure": "Weekly"},
        {**API_WRITE, "default": 428},
    ),
}

# Django's admin checks staff status itself and has its own sign-in page.
DELEGATED_NAMESPACES = {"admin": "django admin"}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            prefix = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            names |= _url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_has_an_access_expectation():
    names = _url_names(get_resolver())
    declared = set(ACCESS) | set(API_ACCESS)
    undeclared = {
        name
        for name in names
        if name not in declared and name.split(":")[0] not in DELEGATED_NAMESPACES
    }
    assert not undeclared, f"Add these URLs to ACCESS with who may reach them: {undeclared}"
    assert not declared - names, "ACCESS names URLs that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(ACCESS))
def test_access(client, world, url_name, persona):
    make_kwargs, method, expectations = ACCESS[url_name]
    url = reverse(url_name, kwargs=make_kwargs(world))
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    response = getattr(client, method)(url)
    expected = expectations.get(persona, expectations["default"])
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, (url_name, persona, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(API_ACCESS))
def test_api_access(client, world, url_name, persona):
    make_kwargs, method, make_body, expectations = API_ACCESS[url_name]
    url = reverse(url_name, kwargs=make_kwargs(world))
    headers = {}
    body = make_body(world) if make_body else None
    if persona != "anonymous":
        user = getattr(world, persona)
        token = api_token_issue(user=user, scopes=["read", "write", "export"])
        headers["Authorization"] = f"Bearer {token}"
        if make_body is _credentials:
            body = {"username": user.username, "password": PASSWORD}
            if requires_second_factor(user):
                give_app(user)
                body["otp"] = next_code(user)
    elif make_body is _credentials:
        body = {"username": "nobody", "password": "wrong"}
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    response = getattr(client, method)(url, **kwargs)
    expected = expectations.get(persona, expectations["default"])
    assert response.status_code == expected, (url_name, persona, response.content[:300])


def test_admin_site_is_for_staff_only(client, world):
    index = reverse("admin:index")
    assert client.get(index).status_code == 302
    client.force_login(world.coordinator)
    assert client.get(index).status_code == 302
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.get(index).status_code == 200


def test_a_closed_engagement_offers_no_forms(client, world):
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    client.force_login(world.supporter)
    response = client.post(
        reverse("meetings:create", kwargs={"pk": world.engagement.pk}),
        {
            "starts_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "duration_minutes": 30,
            "mode": "phone",
            "status": "held",
        },
    )
    assert response.status_code == 409
    assert world.engagement.meetings.count() == 0
