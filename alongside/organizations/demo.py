"""The demo organization: a realistic, deterministic Riverbend Peer Network.

``demo_build`` tells a small story through the domain services (so the data
obeys the rules of design.md §3), then back-dates it so it reads like months
of work. The large scale adds a bulk layer written with ``bulk_create`` for
the benchmarks of design.md §6: no history rows, no per-row queries.

The same ``seed`` gives the same people, names and assignments; dates are
relative to the day the data is built.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Exists, Field, Max, OuterRef, Subquery
from django.utils import formats, timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts.models import (
    TIMES_OF_WEEK,
    AgeBand,
    AvailabilityWindow,
    Gender,
    LivedExperience,
    Membership,
    PeerSupporterProfile,
    Role,
    User,
)
from alongside.accounts.second_factor import APP_DEVICE_NAME
from alongside.agreements.models import (
    DocumentRequirement,
    SignatureMethod,
    SignedDocument,
    SignerRole,
)
from alongside.agreements.selectors import needed_roles
from alongside.agreements.services import document_record_paper, starting_templates_install
from alongside.assessments.models import Assessment, AssessmentSignature, Tier
from alongside.assessments.models import SignatureMethod as AssessmentSignatureMethod
from alongside.assessments.models import SignerRole as AssessmentSignerRole
from alongside.assessments.services import assessment_record, assessment_sign
from alongside.concerns.models import (
    Category,
    Concern,
    ConcernAction,
    ConcernStatus,
    ConcernUrgency,
    InformedHow,
    RaisedThrough,
)
from alongside.concerns.services import (
    concern_acknowledge,
    concern_action_record,
    concern_assign,
    concern_inform,
    concern_raise,
    concern_resolve,
    concern_update,
)
from alongside.contacts.models import Contact
from alongside.contacts.services import contact_callback_return, contact_log
from alongside.core.support import outside_agreed_hours
from alongside.emergencyplans.models import EmergencyPlan, EmergencyPlanVersion
from alongside.emergencyplans.services import emergency_plan_save
from alongside.engagements.models import (
    Engagement,
    OnboardingStep,
    State,
    StateChange,
    SupporterAssignment,
)
from alongside.engagements.services import (
    due_dates,
    engagement_transition,
    onboarding_step_record,
)
from alongside.exits.models import ConcludingStep, Exit, ExitReason, kind_for_reason
from alongside.exits.services import exit_complete, exit_start, step_record
from alongside.matching.services import match_confirm, tier_weighted_loads
from alongside.meetings.models import (
    Addendum,
    Meeting,
    MeetingStatus,
    Mode,
    NextStep,
    Note,
    NoteStatus,
    PlaceType,
    ReadinessSignal,
    ReminderOutcome,
    Technique,
)
from alongside.meetings.notes import addendum_create, note_save
from alongside.meetings.services import (
    meeting_cancel,
    meeting_log,
    meeting_overlaps,
    meeting_reschedule,
    meeting_schedule,
    service_units,
)
from alongside.organizations.models import Organization, Program, Site
from alongside.participants.models import (
    GenderIdentity,
    Participant,
    RaceEthnicity,
    VeteranStatus,
)
from alongside.plans.models import (
    ActionStep,
    CheckIn,
    Goal,
    GoalStage,
    GoalStatus,
    Plan,
    PlanSignature,
    PlanSignatureMethod,
    PlanSignerRole,
    PlanStyle,
    WellnessDimension,
    plan_hash,
)
from alongside.plans.services import (
    check_in_record,
    goal_create,
    goal_update,
    plan_create,
    plan_sign,
    step_create,
    step_mark,
)
from alongside.referrals.models import OPEN_STATUSES, Referral, Source, Status, Urgency
from alongside.referrals.services import (
    referral_accept,
    referral_create,
    referral_decline,
    referral_waitlist,
)
from alongside.supervision.models import FollowUp, SupervisionSession
from alongside.supervision.services import follow_up_add, follow_up_mark, session_record
from alongside.surveys.services import instruments_install
from alongside.teamplans.models import Channel, TeamPlanWorksheet
from alongside.teamplans.services import review_due, worksheet_save

DEMO_PASSWORD = "alongside-demo"
ORGANIZATION_NAME = "Riverbend Peer Network"
ORGANIZATION_SLUG = "riverbend"
BATCH = 5_000

# Who to sign in as, and what each account shows.
SIGN_INS: tuple[tuple[str, str], ...] = (
    ("admin", "admin: programs, people and settings; the Django admin"),
    ("coordinator", "coordinator of both programs: intake, matching, concerns"),
    ("supervisor", "supervisor of supporter1 and supporter2"),
    ("supporter1", "peer supporter (Sunny Alvarez), caseload includes participant1"),
    ("supporter2", "peer supporter (Omar Haddad), caseload includes participant2"),
    ("participant1", "participant portal (Pat Rivera)"),
    ("participant2", "participant portal (Jordan Lee)"),
)
DEMO_USERNAMES = tuple(username for username, _ in SIGN_INS)


def demo_totp_key(seed: int, username: str) -> str:
    """The demo's authenticator keys follow from the seed: printed, never secret."""
    return hashlib.sha1(f"alongside-demo-totp:{seed}:{username}".encode()).hexdigest()


@dataclass(frozen=True)
class Scale:
    """Sizes of the bulk layer added on top of the small story (all zero for small)."""

    name: str
    supporters: int = 0
    participants: int = 0
    open_referrals: int = 0
    meetings: int = 0


SMALL = Scale("small")
LARGE = Scale("large", supporters=250, participants=10_000, open_referrals=300, meetings=500_000)
SCALES = {"small": SMALL, "large": LARGE}


@dataclass
class DemoResult:
    organization: Organization
    created: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self, scale: str, seed: int) -> str:
        if not self.created:
            return f"{self.organization.name} already exists; nothing changed."
        figures = ", ".join(f"{n:,} {what}" for what, n in self.counts.items())
        return (
            f"Built {self.organization.name} ({scale} scale, seed {seed}) "
            f"in {self.seconds:.1f} s: {figures}."
        )


class DemoRefused(Exception):
    """The database holds something that would clash with the demo data."""


def demo_build(
    *, scale: Scale = SMALL, seed: int = 0, today: datetime.date | None = None
) -> DemoResult:
    """Build the demo organization unless it exists; the whole build is one transaction."""
    existing = Organization.objects.filter(slug=ORGANIZATION_SLUG).first()
    if existing is not None:
        return DemoResult(organization=existing, created=False)
    taken = list(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    if taken:
        raise DemoRefused(
            f"The demo accounts would clash with existing users ({', '.join(sorted(taken))}); "
            "seed the demo into an empty database."
        )
    started = time.perf_counter()
    with transaction.atomic():
        builder = _Builder(seed=seed, today=today or timezone.localdate())
        builder.story()
        if scale.participants:
            _BulkLayer(builder, scale).build()
        _tiers_from_assessments(builder.org)
        _assignments_from_engagements(builder.org)
        _matching_details(builder.org, random.Random(seed + 7919))
        _plans_and_worksheets(
            builder.org,
            random.Random(seed + 7933),
            builder.today,
            getattr(builder, "agreed", None),
        )
        _concerns_through_triage(builder)
        _sites_and_demographics(builder.org, random.Random(seed + 7951))
    organization = builder.org
    return DemoResult(
        organization=organization,
        created=True,
        seconds=time.perf_counter() - started,
        counts=demo_counts(organization),
    )


PLACES = ("Eastside", "Riverside", "Old Mill", "Northgate", "Downtown", "Lakeview")


DEMO_SITES = (
    ("Riverbend Drop-in Center", "12 Mill Street, Riverbend"),
    ("Northgate Respite House", "4 Northgate Road, Riverbend"),
)


def _sites_and_demographics(organization: Organization, rng: random.Random) -> None:
    """Two sites (each supporter, and their engagements, based at one) and demographics for
    most participants, some left unrecorded as in life, so every report has figures."""
    sites = [
        Site.objects.create(organization=organization, name=name, address=address)
        for name, address in DEMO_SITES
    ]
    profiles = list(PeerSupporterProfile.objects.filter(organization=organization).order_by("pk"))
    for i, profile in enumerate(profiles):
        profile.site = sites[i % len(sites)]
    PeerSupporterProfile.objects.bulk_update(profiles, ["site"], batch_size=BATCH)
    for site in sites:
        supporters = [p.user_id for p in profiles if p.site_id == site.pk]
        Engagement.objects.filter(organization=organization, supporter_id__in=supporters).update(
            site=site
        )
    genders = [
        GenderIdentity.WOMAN,
        GenderIdentity.MAN,
        GenderIdentity.NONBINARY,
        GenderIdentity.ANOTHER,
        GenderIdentity.DECLINED,
    ]
    races = [v for v in RaceEthnicity.values if v != RaceEthnicity.DECLINED]
    race_weights = [3, 3, 22, 18, 2, 1, 45, 6]
    participants = list(Participant.objects.filter(organization=organization).only("pk"))
    for participant in participants:
        if rng.random() < 0.12:
            continue  # not recorded
        participant.gender = rng.choices(genders, [48, 44, 5, 1, 2])[0]
        if rng.random() < 0.04:
            participant.race_ethnicity = [RaceEthnicity.DECLINED.value]
        else:
            picked = rng.choices(races, race_weights, k=2 if rng.random() < 0.1 else 1)
            participant.race_ethnicity = sorted(set(picked))
        participant.veteran_status = rng.choices(
            [VeteranStatus.YES, VeteranStatus.NO, VeteranStatus.DECLINED, ""], [8, 80, 4, 8]
        )[0]
    Participant.objects.bulk_update(
        participants, ["gender", "race_ethnicity", "veteran_status"], batch_size=BATCH
    )


def _matching_details(organization: Organization, rng: random.Random) -> None:
    """Where and when supporters meet people, and where and when waiting people want to meet.

    A generator of its own, so the rest of the demo draws the same as before.
    """
    profiles = list(PeerSupporterProfile.objects.filter(organization=organization).order_by("pk"))
    windows = []
    for profile in profiles:
        profile.locations_served = rng.sample(PLACES, rng.randint(1, 3))
        profile.age_band = rng.choice(AgeBand.values)
        profile.remote_only = rng.random() < 0.08
        for weekday in sorted(rng.sample(range(5), rng.randint(2, 4))):
            start = rng.choice([9, 10, 13, 15])
            windows.append(
                AvailabilityWindow(
                    profile=profile,
                    weekday=weekday,
                    starts=datetime.time(start),
                    ends=datetime.time(start + rng.choice([2, 3])),
                )
            )
    PeerSupporterProfile.objects.bulk_update(
        profiles, ["locations_served", "age_band", "remote_only"], batch_size=500
    )
    AvailabilityWindow.objects.bulk_create(windows, batch_size=BATCH)
    waiting = list(
        Referral.objects.filter(organization=organization, status__in=OPEN_STATUSES).order_by("pk")
    )
    for referral in waiting:
        referral.meeting_place = rng.choice(("", *PLACES))
        referral.remote_ok = rng.random() < 0.7
    # Good times to meet for about half of them: drawn after every draw above, so those
    # stay as they were.
    for referral in waiting:
        if rng.random() < 0.5:
            picked = set(rng.sample(TIMES_OF_WEEK, rng.randint(1, 2)))
            referral.preferred_times = [code for code in TIMES_OF_WEEK if code in picked]
    Referral.objects.bulk_update(
        waiting, ["meeting_place", "remote_ok", "preferred_times"], batch_size=500
    )


def _plan_content(rng: random.Random) -> dict:
    """An emergency plan in a participant's words, drawn from the phrases below."""
    contact = rng.choice(PLAN_CONTACTS)
    contacts = [
        {
            "name": contact[0],
            "relationship": contact[1],
            "phone": f"555-01{rng.randint(10, 99)}",
            "outside_team": contact[2],
        }
    ]
    lines = [{"name": "988 Suicide & Crisis Lifeline (call or text)", "phone": "988"}]
    if rng.random() < 0.5:
        lines.append({"name": "Riverbend County mobile crisis team", "phone": "555-0100"})
    return {
        "well": rng.choice(PLAN_WELL),
        "warning_signs": rng.choice(PLAN_SIGNS),
        "helps": rng.choice(PLAN_HELPS),
        "does_not_help": rng.choice(PLAN_NOT_HELPS),
        "contacts": contacts,
        "crisis_lines": lines,
        "facilities_preferred": rng.choice(("Riverbend Peer Respite house", "", "")),
        "needs_pets": rng.choice(("My neighbor feeds the cat.", "", "")),
        "no_longer_needed": "When I am sleeping and eating again and say so myself.",
    }


def _plans_and_worksheets(
    organization: Organization,
    rng: random.Random,
    today: datetime.date,
    agreed: dict[int, str] | None = None,
) -> None:
    """Emergency plans and team plan worksheets for the bulk layer's activated engagements.

    The story writes its own through the services; this covers the rest in bulk, with a
    generator of its own so every other draw of the demo stays as it was.
    """
    started = [State.ACTIVE, State.EXITING, State.CLOSED]
    rows = list(
        Engagement.objects.filter(organization=organization, state__in=started)
        .order_by("pk")
        .values_list("pk", "participant_id", "supporter_id", "activated_on")
    )
    have_plan = set(
        EmergencyPlan.objects.filter(organization=organization).values_list(
            "participant_id", flat=True
        )
    )
    have_sheet = set(
        TeamPlanWorksheet.objects.filter(engagement__organization=organization).values_list(
            "engagement_id", flat=True
        )
    )
    fallback = User.objects.get(username="coordinator")
    tz = timezone.get_current_timezone()
    plans, versions, sheets = [], [], []
    for pk, participant_id, supporter_id, activated_on in rows:
        activated_on = activated_on or today
        author = supporter_id or fallback.pk
        saved = datetime.datetime.combine(
            activated_on - datetime.timedelta(days=1), datetime.time(13), tzinfo=tz
        )
        if participant_id not in have_plan:
            have_plan.add(participant_id)
            plans.append(EmergencyPlan(organization=organization, participant_id=participant_id))
            versions.append(
                EmergencyPlanVersion(
                    number=1, saved_by_id=author, saved_at=saved, **_plan_content(rng)
                )
            )
        if pk not in have_sheet:
            reviewed = activated_on
            while (today - reviewed).days > 365 and rng.random() < 0.8:
                reviewed = review_due(reviewed)
            channels, hours = rng.choice(DEMO_CHANNELS), rng.choice(DEMO_HOURS)
            # The meetings were placed at the hours the bulk layer chose for this worksheet.
            hours = (agreed or {}).get(pk, hours)
            sheets.append(
                TeamPlanWorksheet(
                    engagement_id=pk,
                    channels=channels,
                    days_and_hours=hours,
                    reminders_ok=pk % 7 != 0,
                    **AGREED_HOURS[hours].fields(),
                    frequency=rng.choice(DEMO_FREQUENCIES),
                    messages_ok=rng.random() < 0.7,
                    boundaries=rng.choice(DEMO_BOUNDARIES),
                    reviewed_on=reviewed,
                    review_due_on=review_due(reviewed),
                    created_by_id=author,
                )
            )
    plans = EmergencyPlan.objects.bulk_create(plans, batch_size=BATCH)
    for plan, version in zip(plans, versions, strict=True):
        version.plan = plan
        version.changed = [name for name, value in version.content().items() if value]
    versions = EmergencyPlanVersion.objects.bulk_create(versions, batch_size=BATCH)
    for plan, version in zip(plans, versions, strict=True):
        plan.current = version
    EmergencyPlan.objects.bulk_update(plans, ["current"], batch_size=BATCH)
    TeamPlanWorksheet.objects.bulk_create(sheets, batch_size=BATCH)
    # The getting-started conversations, recorded the day before activation.
    have_steps = set(
        OnboardingStep.objects.filter(engagement__organization=organization).values_list(
            "engagement_id", flat=True
        )
    )
    OnboardingStep.objects.bulk_create(
        (
            OnboardingStep(
                engagement_id=pk,
                step=step,
                done_by_id=supporter_id or fallback.pk,
                done_at=datetime.datetime.combine(
                    (activated_on or today) - datetime.timedelta(days=1),
                    datetime.time(11),
                    tzinfo=tz,
                ),
            )
            for pk, _participant, supporter_id, activated_on in rows
            if pk not in have_steps
            for step in OnboardingStep.Step.values
        ),
        batch_size=BATCH,
    )


def _tiers_from_assessments(organization: Organization) -> None:
    """Each engagement's current tier is that of its latest assessment."""
    latest = Assessment.objects.filter(engagement=OuterRef("pk")).order_by("-assessed_on", "-id")
    Engagement.objects.filter(organization=organization).filter(Exists(latest)).update(
        tier=Subquery(latest.values("tier")[:1])
    )


def _assignments_from_engagements(organization: Organization) -> None:
    """One assignment per engagement, dated like the (back-dated) engagement itself."""
    SupporterAssignment.objects.filter(engagement__organization=organization).delete()
    rows = (
        Engagement.objects.filter(organization=organization, supporter__isnull=False)
        .values_list("pk", "supporter_id", "started_on", "closed_on")
        .iterator(chunk_size=BATCH)
    )
    SupporterAssignment.objects.bulk_create(
        (
            SupporterAssignment(
                engagement_id=pk,
                supporter_id=supporter_id,
                started_on=started_on,
                ended_on=closed_on,
                reason="Matched",
            )
            for pk, supporter_id, started_on, closed_on in rows
        ),
        batch_size=BATCH,
    )


def _assessment_signed_by_both(assessment, supporter, signed_at: datetime.datetime) -> None:
    """The supporter signs, then the participant (in the portal, or in person attested)."""
    participant = assessment.engagement.participant
    account = participant.user
    for role, typed, actor, signer, method in (
        (
            AssessmentSignerRole.SUPPORTER,
            supporter.get_full_name(),
            supporter,
            supporter,
            AssessmentSignatureMethod.IN_PERSON,
        ),
        (
            AssessmentSignerRole.PARTICIPANT,
            f"{participant.first_name} {participant.last_name}",
            account or supporter,
            account,
            AssessmentSignatureMethod.PORTAL if account else AssessmentSignatureMethod.IN_PERSON,
        ),
    ):
        signature = assessment_sign(
            assessment=assessment,
            role=role,
            typed_name=typed,
            shown_hash=assessment.sha256,
            actor=actor,
            signer=signer,
            method=method,
        )
        AssessmentSignature.objects.filter(pk=signature.pk).update(signed_at=signed_at)


def _checklist_rows(exit_: Exit) -> list[ConcludingStep]:
    """A closed exit's checklist as the bulk layer writes it: the steps the kind allowed,
    the rest not possible with why, recorded between the exit's start and its close."""
    skipped, why = NOT_POSSIBLE.get(exit_.reason, ([], ""))
    when = exit_.started_at + (exit_.completed_at - exit_.started_at) / 2
    return [
        ConcludingStep(
            engagement_id=exit_.engagement_id,
            step=step,
            status=ConcludingStep.Status.NOT_POSSIBLE
            if step in skipped
            else ConcludingStep.Status.DONE,
            note=why if step in skipped else CONCLUDING_NOTES[step],
            recorded_at=when,
            recorded_by_id=exit_.completed_by_id,
        )
        for step in ConcludingStep.Step
    ]


def _concluding_checklist(engagement: Engagement, supporter, reason: str) -> None:
    """Work through the concluding checklist as the exit's kind allows, via the service."""
    skipped, why = NOT_POSSIBLE.get(reason, ([], ""))
    for step in ConcludingStep.Step:
        not_possible = step in skipped
        step_record(
            engagement=engagement,
            step=step,
            actor=supporter,
            status=ConcludingStep.Status.NOT_POSSIBLE
            if not_possible
            else ConcludingStep.Status.DONE,
            note=why if not_possible else CONCLUDING_NOTES[step],
        )


def _concerns_through_triage(builder: _Builder) -> None:
    """Concerns at each point of their handling, for the coordinator's triage list.

    Made through the concern services, so routing (never the person a concern is about,
    nor their supervisor), the action log and the audit trail are what the app makes;
    then back-dated. Fixed text and ordered picks: it draws nothing from the seeded
    generators, so the rest of the demo stays the same for a seed.
    """

    org, cora, at = builder.org, builder.coordinator, builder.at

    stamped = {
        "acknowledged": "acknowledged_at",
        "resolved": "resolved_at",
        "informed": "informed_at",
    }

    def back_date(concern: Concern, raised: datetime.datetime, steps=()) -> None:
        """Raised at ``raised``; its logged steps, in order, at ``steps`` (and the dates
        the concern keeps of them with them)."""
        fields = {"created_at": raised}
        logged = concern.actions.order_by("at", "pk").values_list("pk", "kind")
        for (pk, kind), when in zip(logged, steps, strict=True):
            ConcernAction.objects.filter(pk=pk).update(at=when)
            if kind in stamped:
                fields[stamped[kind]] = when
        Concern.objects.filter(pk=concern.pk).update(**fields)

    # Jordan, in the portal: a message that went nowhere. Handled, and Jordan was told.
    jordan = builder.p2_engagement
    service = concern_raise(
        organization=org,
        actor=jordan.participant.user,
        engagement=jordan,
        category=Category.SERVICE,
        description=(
            "I left a message at the office asking to change our meeting times because "
            "of my new job. I was told someone would call me back the next day. "
            "Nobody called for more than a week."
        ),
        raised_through=RaisedThrough.PORTAL,
    )
    concern_acknowledge(concern=service, actor=cora)
    concern_action_record(
        concern=service,
        actor=cora,
        text=(
            "Called Jordan. The message was taken on the general line and never passed on. "
            "Asked Omar to find times that fit Jordan's new shifts."
        ),
    )
    concern_resolve(
        concern=service,
        actor=cora,
        resolution=(
            "Omar and Jordan agreed new meeting times. Messages left on the general "
            "line now go on the coordinator's list the same day."
        ),
    )
    concern_inform(concern=service, actor=cora, how=InformedHow.PHONE, when=at(47, 15))
    back_date(service, at(52, 9, 40), [at(52, 11), at(51, 14), at(47, 14, 30), at(47, 15)])

    # Sunny, at the respite house last night: urgent, taken on by the coordinator on call.
    stay = (
        Engagement.objects.filter(
            organization=org,
            program=builder.respite,
            supporter=builder.supporter1,
            state=State.ACTIVE,
        )
        .order_by("pk")
        .first()
    )
    safety = concern_raise(
        organization=org,
        actor=builder.supporter1,
        engagement=stay,
        category=Category.SAFETY,
        urgency=ConcernUrgency.URGENT,
        description=(
            "The guest has hardly slept for three days and said tonight that they do not "
            "want to be here any more. We went over their crisis plan together and called "
            "the crisis line with them; the overnight peer knows. Please check in with "
            "them first thing tomorrow."
        ),
    )
    concern_assign(concern=safety, actor=cora, handler=cora)
    back_date(safety, at(1, 21, 30), [at(1, 21, 55), at(1, 22)])

    # From the public page, anonymous, no way back: nobody has looked at it yet.
    overheard = concern_raise(
        organization=org,
        actor=None,
        category=Category.PRIVACY,
        subject_text="Someone wearing a Riverbend lanyard",
        description=(
            "At the Eastside library someone with a Riverbend lanyard was on the phone "
            "talking about a participant by their full name, including their court date. "
            "Please remind your staff to make those calls somewhere private."
        ),
        raised_through=RaisedThrough.PUBLIC,
    )
    back_date(overheard, at(1, 18, 40))

    # Omar, about Sunny and the new match's late texts: routed around Sunny and her
    # supervisor; the coordinator is looking into it.
    new_match = builder.tagged["new_match"]
    about_sunny = concern_raise(
        organization=org,
        actor=builder.supporter2,
        engagement=new_match,
        subject=builder.supporter1,
        category=Category.BOUNDARIES,
        description=(
            "At the drop-in, Sunny's new participant told me they text back and forth with "
            "Sunny late in the evening, and that they talked on a Saturday. Their agreement "
            "says weekdays 10 to 4. It may be nothing, but I would rather someone outside "
            "our team looked at it."
        ),
    )
    concern_acknowledge(concern=about_sunny, actor=cora)
    concern_action_record(
        concern=about_sunny,
        actor=cora,
        text=(
            "Read the contact log: texts after 9 pm and a Saturday call, outside the "
            "agreed hours. Will meet Sunny, then the participant, about those hours."
        ),
    )
    back_date(about_sunny, at(3, 16, 20), [at(2, 9, 30), at(2, 10, 15)])


def demo_counts(organization: Organization) -> dict[str, int]:
    return {
        "supporters": PeerSupporterProfile.objects.filter(organization=organization).count(),
        "participants": Participant.objects.filter(organization=organization).count(),
        "referrals": Referral.objects.filter(organization=organization).count(),
        "engagements": Engagement.objects.filter(organization=organization).count(),
        "meetings": Meeting.objects.filter(engagement__organization=organization).count(),
        "notes": Note.objects.filter(meeting__engagement__organization=organization).count(),
        "goals": Goal.objects.filter(engagement__organization=organization).count(),
        "assessments": Assessment.objects.filter(engagement__organization=organization).count(),
        "concerns": Concern.objects.filter(organization=organization).count(),
    }


# --- words the demo uses -------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Aaliyah Abdul Adele Adrian Aisha Alejandro Alma Amara Amir Ana Andre Angela Anh "
    "Antonio Ari Ava Bao Beatriz Bianca Brandon Bridget Camila Carlos Carmen Cedric Chen "
    "Chloe Ciara Cody Connor Dana Daniel Darius DeShawn Diego Dolores Dominic Duc Elena "
    "Eli Elijah Elise Emeka Emily Eric Esperanza Ethan Fatima Felix Fernando Frances "
    "Gabriel Gloria Grace Hana Hassan Hector Hui Ibrahim Imani Isaac Isabel Jada Jamal "
    "Janelle Javier Jaylen Jesse Jin Joaquin Jolene Jose Josephine Juan Kai Kareem Keisha "
    "Kenji Keven Kiara Lamar Latoya Layla Leon Lila Linh Lorenzo Lucia Luis Malik Marcus "
    "Maria Marisol Mateo Maya Mei Miguel Mohammed Monique Nadia Naomi Nia Nicole Noah "
    "Nora Omari Pablo Paige Priya Quentin Rafael Rahul Ramona Rashid Renee Ricardo Rosa "
    "Ruth Samira Sandra Santiago Sean Selena Shanice Sofia Tamika Tanya Terrence Thanh "
    "Theo Tomas Trinh Tyrone Valentina Vanessa Victor Wanda Wei Wesley Xavier Yara "
    "Yesenia Yusuf Zainab Zoe"
)
LAST_NAMES = _words(
    "Abbott Acosta Adeyemi Aguilar Ahmed Alvarado Anderson Baker Banks Barnes Bell Bennett "
    "Brooks Bui Byrne Campbell Castillo Chavez Chen Cohen Coleman Collins Cruz Daniels "
    "Davis Delgado Diaz Dominguez Douglas Duarte Edwards Ellis Espinoza Evans Farah "
    "Fernandez Fischer Flores Foster Francis Garcia Gomez Gonzalez Gordon Grant Green "
    "Gutierrez Hall Hamilton Harris Hayes Henderson Hernandez Hill Hoang Holmes Howard "
    "Hughes Ibrahim Jackson James Jenkins Johnson Jones Kaur Kelly Khan Kim King Le Lewis "
    "Lopez Marshall Martin Martinez Mendoza Meyer Mitchell Moreno Morris Murphy Nguyen "
    "Norris Obi Okonkwo Oliver Ortiz Osei Park Patel Perez Phillips Pham Powell Price "
    "Ramirez Ramos Reed Reyes Richardson Rivera Roberts Robinson Rodriguez Rojas Ross "
    "Ruiz Russell Sanchez Santos Shah Simmons Singh Soto Stewart Sullivan Tanaka Taylor "
    "Thomas Thompson Torres Tran Turner Vargas Vasquez Vu Walker Ward Washington Watson "
    "White Williams Wilson Wong Wright Yang Young Zhang"
)
PRONOUNS = ("she/her", "he/him", "they/them", "", "")

NEEDS = (
    "Wants support staying in recovery after a recent detox stay.",
    "Recently discharged from the hospital; looking for someone who has been there.",
    "Feeling isolated since moving to the area; wants to build a support network.",
    "Working on housing and keeping appointments; would like a peer to walk alongside.",
    "Court-referred; interested in recovery support and getting back to work.",
    "Family member reached out; participant agreed to meet a peer supporter.",
    "Looking for help navigating benefits and getting back into school.",
    "Wants a peer with lived experience of parenting in recovery.",
    "Managing anxiety and wants to practise getting out of the house more.",
    "New to medication-assisted treatment and wants peer support alongside it.",
    "Veteran looking for a peer who understands the transition to civilian life.",
    "Needs a short stay at the respite house to get through a hard stretch.",
)
NOTE_OPENINGS = (
    "Met at the library as planned.",
    "Phone check-in; they called on time.",
    "Met at the coffee shop near the bus station.",
    "Video call; camera off for the first part, which was fine.",
    "Walked together in Riverside Park while we talked.",
    "Short meeting before their appointment at the clinic.",
    "Met at the community center after the peer group.",
    "Texted through the morning, then a short call.",
)
NOTE_MIDDLES = (
    "Talked about how the week went and what felt hard.",
    "Reviewed the steps toward the housing application; two documents still missing.",
    "They described a stressful weekend and what helped them get through it.",
    "We went over the budget worksheet together; they chose what to cut first.",
    "They shared that sleep has been better since cutting back on caffeine.",
    "Practised what to say at the job interview; they want to try it again next time.",
    "Talked about boundaries with a family member and how to say no kindly.",
    "They asked about other recovery pathways; I shared my experience and asked theirs.",
    "Discussed the upcoming court date and who could come along for support.",
    "Looked at meeting schedules for groups close to their new place.",
    "They reported two days of cravings and used the plan we made; it worked.",
    "Celebrated 60 days; they want to mark it with their sister.",
    "They are unsure about changing anything yet; we stayed with exploring.",
    "Went through the emergency plan again and updated one phone number.",
)
NOTE_CLOSINGS = (
    "They seemed more settled by the end.",
    "Energy was low today; we kept it short on purpose.",
    "They laughed a lot today, which was good to see.",
    "They said this was helpful and want to keep the same time.",
    "Agreed to check in by text midweek.",
    "No safety concerns raised.",
)
NEXT_STEPS = (
    "Call the housing office on Tuesday; I will send the number by text.",
    "Bring the pay stubs next time.",
    "Try the Thursday evening group and tell me how it went.",
    "Draft two questions for the doctor before the appointment.",
    "Walk twice this week, even if only around the block.",
    "Look at the community college catalogue together next meeting.",
    "Ask their cousin about a ride to the interview.",
    "Keep the cravings log; we will look at it together.",
)
GOALS = (
    ("I want to have my own place by the end of the year.", "environmental", "Lease signed"),
    ("Get a steady job, even part time.", "occupational", "Working 20 hours a week"),
    ("I want to stay sober for my kids.", "emotional", "Days in recovery, weekly"),
    ("Be able to take the bus on my own.", "environmental", "Rides alone to appointments"),
    ("Finish my GED.", "intellectual", "Passing the four tests"),
    ("Have people to call when it gets bad.", "social", "Three names in my phone"),
    ("Get my debts under control.", "financial", "A budget I keep for a month"),
    ("Sleep through the night most nights.", "physical", "Nights slept, in my journal"),
    ("Go back to church.", "spiritual", "Attending twice a month"),
    ("Walk every day.", "physical", "Steps on my phone"),
    ("Reconnect with my brother.", "social", "One call a week"),
    ("Keep my medication appointments.", "physical", "No missed appointments"),
)
RATIONALES = {
    Tier.MAKING_PROGRESS: (
        "Steady progress on their goals; they set the next step themselves.",
        "Goals met ahead of plan; ready to take on more independence.",
    ),
    Tier.MAINTAINING: (
        "Holding steady after a hard season; keeping the routine is the goal now.",
        "Some setbacks, but they keep coming to meetings and using their plan.",
    ),
    Tier.EXITING: (
        "Goals largely met; they have other supports in place and want to taper.",
        "They asked to end support and have a plan for who to call.",
    ),
}
ONGOING_PLANS = (
    "Stay the course: weekly meetings, re-assess in a year.",
    "Change focus to work and school; meet every other week.",
    "Reduce to monthly check-ins; supporter becomes the back-up.",
    "Start concluding: three more meetings, then an exit conversation.",
)
EXIT_NOTES = {
    ExitReason.GOALS_MET: "They reached their goals and have a group they go to weekly.",
    ExitReason.PARTICIPANT_CHOICE: "They decided to stop; we talked about how to come back.",
    ExitReason.MOVED: "Moved to be near family; gave the names of two programs there.",
    ExitReason.HOSPITALIZED: "Admitted to hospital; coordinator will reach out on discharge.",
    ExitReason.LOST_CONTACT: "No answer for six weeks across phone, text and a letter.",
    ExitReason.OTHER: "Support ended by mutual agreement.",
}
# What the team writes down at an assessment, before both sign.
ASSESSMENT_PLAN = {
    "achievable_goals": "Keep the weekly routine; take the next step on the main goal.",
    "actions": "Meet weekly; the participant calls the clinic by Friday.",
    "measure": "Check-ins at each meeting and the BARC-10 again in six months.",
    "corrections": "If two meetings are missed, we talk about a time that works better.",
}
# The concluding checklist as a supporter would write it up.
CONCLUDING_NOTES = {
    ConcludingStep.Step.ENDING_DISCUSSED: "We talked about the ending over our last meetings.",
    ConcludingStep.Step.GROWTH_REFLECTED: "Looked back at the goals together; proud of the work.",
    ConcludingStep.Step.SUPPORTS_CONNECTED: "Weekly group, a sister nearby, the drop-in centre.",
    ConcludingStep.Step.WAY_BACK_EXPLAINED: "Call the office or ask any clinic to refer again.",
    ConcludingStep.Step.EXIT_SURVEY_OFFERED: "",
    ConcludingStep.Step.RECORDS_FINALIZED: "",
}
# What an abrupt ending leaves undone, and why (the rest is done as far as it can be).
NOT_POSSIBLE = {
    ExitReason.HOSPITALIZED: (
        [ConcludingStep.Step.ENDING_DISCUSSED, ConcludingStep.Step.GROWTH_REFLECTED],
        "In hospital; the coordinator will offer a conversation on discharge.",
    ),
    ExitReason.LOST_CONTACT: (
        [
            ConcludingStep.Step.ENDING_DISCUSSED,
            ConcludingStep.Step.GROWTH_REFLECTED,
            ConcludingStep.Step.SUPPORTS_CONNECTED,
        ],
        "No contact since; a letter explained how to come back.",
    ),
    ExitReason.PARTICIPANT_CHOICE: (
        [ConcludingStep.Step.GROWTH_REFLECTED],
        "They preferred not to look back at the goals; we respected that.",
    ),
    ExitReason.MOVED: (
        [ConcludingStep.Step.ENDING_DISCUSSED],
        "Moved at short notice; we spoke once by phone about the new programs.",
    ),
}


PLAN_WELL = (
    "I get up early, walk the dog and call my sister most days.",
    "I cook, keep my room tidy and go to my Thursday meeting.",
    "I joke around, answer texts and keep my appointments.",
)
PLAN_SIGNS = (
    "I stop answering the phone for more than two days; I stop eating.",
    "I talk fast, do not sleep and start giving things away.",
    "I miss meetings, stay in bed and say I am a burden.",
)
PLAN_HELPS = (
    "Sit with me; talk quietly; remind me of my daughter.",
    "A walk outside, a warm drink, someone who does not rush me.",
    "Help me call my sponsor and get to a meeting.",
)
PLAN_NOT_HELPS = (
    "Raised voices, lots of questions at once, police at the door if it can be avoided.",
    "Being told to snap out of it.",
    "Crowded rooms and bright lights.",
)
PLAN_CONTACTS = (
    ("Maria", "sister", True),
    ("Deacon Lewis", "friend from church", True),
    ("Jo", "sponsor", True),
    ("Riverbend front desk", "program office", False),
)
DEMO_CHANNELS = (
    [Channel.PHONE, Channel.TEXT],
    [Channel.IN_PERSON, Channel.PHONE],
    [Channel.TEXT],
    [Channel.IN_PERSON, Channel.VIDEO],
)
DEMO_HOURS = ("Weekdays 10–4", "Mornings before noon", "Tuesdays and Thursdays after 2", "")
DEMO_FREQUENCIES = ("Once a week", "Twice a week at first, then weekly", "Every other week")
DEMO_BOUNDARIES = (
    "No calls after 8 pm.\nWe meet in public places.\nNo lending money.",
    "Texts are answered within a working day.\nNo social media contact.",
    "We start and end on time.\nEither of us can pause a hard conversation.",
)
LIVED_EXPERIENCE = [value for value, _ in LivedExperience.choices]
OTHER_LANGUAGES = ("zh", "vi", "ar", "fr", "ht", "asl")

# The starting templates each program requires before active (the emergency plan is
# required on its own).
REQUIRED = {
    "cps": ("Release of Liability", "Joint Participation Contract",
            "Participant Privacy & Safety", "Peer Support Boundaries"),
    "respite": ("Release of Liability", "Peer Support Rules"),
}  # fmt: skip


# Issue 5's words: what a conversation was about, how plans and goals read, contacts,
# cancellations and supervision. Each sentence of NOTE_MIDDLES names its topic, the
# wellness dimensions it touches and the readiness signals it shows, so a note's
# structured fields agree with what its text says.
CONVERSATIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    NOTE_MIDDLES[0]: ("how the week went", ("emotional",), ()),
    NOTE_MIDDLES[1]: ("the housing application", ("environmental", "financial"), ("resolve",)),
    NOTE_MIDDLES[2]: ("a stressful weekend and what helped", ("emotional",), ()),
    NOTE_MIDDLES[3]: ("the budget", ("financial",), ("wants_plan",)),
    NOTE_MIDDLES[4]: ("sleep", ("physical",), ()),
    NOTE_MIDDLES[5]: ("practising for a job interview", ("occupational",), ("resolve",)),
    NOTE_MIDDLES[6]: ("boundaries with family", ("social", "emotional"), ()),
    NOTE_MIDDLES[7]: ("recovery pathways", ("emotional", "spiritual"), ("questions",)),
    NOTE_MIDDLES[8]: ("the court date", ("social",), ()),
    NOTE_MIDDLES[9]: ("groups near the new place", ("social",), ("wants_plan",)),
    NOTE_MIDDLES[10]: ("cravings and the plan for them", ("emotional", "physical"), ("resolve",)),
    NOTE_MIDDLES[11]: ("celebrating 60 days", ("emotional", "social"), ("new_future",)),
    NOTE_MIDDLES[12]: ("exploring; no change for now", ("emotional",), ()),
    NOTE_MIDDLES[13]: ("the emergency plan", ("emotional",), ()),
}
# The sentence in which the supporter says they shared from their own recovery.
SHARED_MIDDLE = NOTE_MIDDLES[7]
TECHNIQUE_SETS = (
    ("clarifying", "own_solutions"),
    ("brainstorming", "pros_cons"),
    ("clarifying", "information"),
    ("follow_through",),
    ("own_solutions", "follow_through"),
    ("clarifying", "brainstorming", "own_solutions"),
    ("information",),
    ("pros_cons", "own_solutions"),
)
SHARING_PURPOSES = (
    "To show that more than one pathway works, then asked what fits them.",
    "To normalize a setback: I told how my own first month went.",
    "To offer hope that sleep comes back; kept it short and turned back to them.",
    "To show that asking for help at work is possible; they asked how I did it.",
)
SUMMARY_CLOSINGS = (
    "You did the hard part by showing up. See you next time.",
    "Text me if the week gets hard.",
    "Proud of the steps you are taking.",
    "Same time next week works for me.",
    "",
)
# Who takes each next step, and steps the supporter takes.
STEP_OWNERS = {
    NEXT_STEPS[0]: "both",
    NEXT_STEPS[1]: "participant",
    NEXT_STEPS[2]: "participant",
    NEXT_STEPS[3]: "participant",
    NEXT_STEPS[4]: "participant",
    NEXT_STEPS[5]: "both",
    NEXT_STEPS[6]: "participant",
    NEXT_STEPS[7]: "participant",
}
SUPPORTER_STEPS = (
    "Send the list of evening groups by text.",
    "Find out the food bank's new opening hours.",
    "Ask the coordinator about a bus pass.",
)
CANCEL_REASONS = (
    "They had a last-minute medical appointment; moved to next week.",
    "Supporter out sick; they were told the day before.",
    "They asked to skip this week: family visiting.",
    "Snow: the buses were not running.",
    "They started a new job and the time no longer works; finding a new one.",
)
# (channel, who reached out, note, asks for a call-back)
CONTACTS = (
    ("text", "participant", "Texted that the interview went well.", False),
    ("text", "participant", "Asked to move Thursday's meeting by an hour.", False),
    ("phone", "participant", "Left a voicemail asking for a call back about the form.", True),
    ("phone", "participant", "Called after a hard talk with family; asked for a call back.", True),
    ("text", "supporter", "Reminder about the group tonight.", False),
    ("phone", "supporter", "Checked in after the court date; all went well.", False),
    ("text", "supporter", "Sent the housing office's number as promised.", False),
    ("email", "supporter", "Sent the community college catalogue link.", False),
)
# statement → (approach, why it matters, strengths, action steps (text, owner))
GOAL_DETAILS: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...]]] = {
    GOALS[0][0]: (
        "not_applicable",
        "Couch-surfing wears me down; I want a door I can lock.",
        "I kept my last lease two years; my case manager knows the housing list.",
        (
            ("Get a copy of my ID", "participant"),
            ("Fill in the housing application", "both"),
            ("Ask the landlord about a payment plan", "participant"),
        ),
    ),
    GOALS[1][0]: (
        "not_applicable",
        "Work gives my days a shape, and I want my own money.",
        "Ten years in kitchens; I show up on time.",
        (("Update my résumé", "both"), ("Apply for three jobs", "participant")),
    ),
    GOALS[2][0]: (
        "abstinence",
        "My kids deserve me present, and so do I.",
        "Eight months sober before; my sponsor; my sister.",
        (
            ("Go to two meetings a week", "participant"),
            ("Call my sponsor on Sundays", "participant"),
            ("Find a meeting near the kids' school", "supporter"),
        ),
    ),
    GOALS[3][0]: (
        "not_applicable",
        "Waiting for rides means missing appointments.",
        "I know the route to the clinic; my phone has the bus app.",
        (
            ("Ride the 12 with my supporter once", "both"),
            ("Ride it alone to the clinic", "participant"),
        ),
    ),
    GOALS[4][0]: (
        "not_applicable",
        "I promised my mother, and it opens doors to training.",
        "I passed two tests before; the library has free tutoring.",
        (
            ("Sign up for the Tuesday tutoring", "participant"),
            ("Book the math test", "participant"),
        ),
    ),
    GOALS[5][0]: (
        "not_applicable",
        "When it gets bad at night I feel completely alone.",
        "My cousin picks up; the warm line is open until midnight.",
        (
            ("Add the warm line to my phone", "participant"),
            ("Ask two people if I can call them", "participant"),
        ),
    ),
    GOALS[6][0]: (
        "not_applicable",
        "The calls from collectors make everything worse.",
        "I am good with numbers when I am calm.",
        (
            ("List every debt on one page", "both"),
            ("Call the free credit counselor", "participant"),
        ),
    ),
    GOALS[7][0]: (
        "not_applicable",
        "Everything is harder when I have not slept.",
        "Walking in the evening helps; I like reading before bed.",
        (
            ("No coffee after noon", "participant"),
            ("Keep a sleep journal for two weeks", "participant"),
        ),
    ),
    GOALS[8][0]: (
        "not_applicable",
        "Church was where I felt I belonged.",
        "The deacon still asks after me.",
        (("Call the deacon", "participant"), ("Go to the Sunday service once", "participant")),
    ),
    GOALS[9][0]: (
        "not_applicable",
        "Walking clears my head and helps with cravings.",
        "The river path is close; my dog needs walks anyway.",
        (("Walk the dog around the block daily", "participant"),),
    ),
    GOALS[10][0]: (
        "not_applicable",
        "We have not talked in three years and I miss him.",
        "We were close as kids; my mom has his number.",
        (("Write what I want to say", "participant"), ("Send him a text", "participant")),
    ),
    GOALS[11][0]: (
        "harm_reduction",
        "Buprenorphine keeps me steady; missing a dose is how I slipped before.",
        "The clinic staff know me; my phone has reminders.",
        (
            ("Put every appointment in my phone", "both"),
            ("Ask the clinic about a ride program", "supporter"),
        ),
    ),
}
CHECK_IN_NOTES = {
    -1: (
        "A hard stretch; still at it.",
        "Slipped back a little; we talked about what got in the way.",
    ),
    0: ("About the same as last time.", "Holding steady."),
    1: ("Better than last month.", "Real progress; they named what made the difference."),
}
STAGE_NOTES = {
    "precontemplation": "Not sure this is a problem for them right now; we keep listening.",
    "contemplation": "Weighing it up; they see reasons both ways.",
    "preparation": "They want to plan; we looked at first steps together.",
    "action": "Doing it: the first steps are under way.",
    "maintenance": "Keeping it going for months now; planning for hard days.",
}
STAGE_ORDER = ("precontemplation", "contemplation", "preparation", "action", "maintenance")
PLAN_AGREED = (
    "We look at the steps at every meeting; if something gets in the way we change the step, "
    "not the goal.",
    "We talk about how it is going once a month; they will tell me if they want to stop.",
    "Check-ins every two weeks; a setback is information, not failure.",
)
FOLLOW_UPS = (
    "Bring two notes in draft to finalize together",
    "Read the boundaries section of the team plan again",
    "Book a day off this month",
    "Look up the evening groups on the east side",
)
SUPERVISION_TOPICS = (
    "Caseload review; notes on time; self-care",
    "Using your own story: when it helps and when it does not",
    "Supporting someone who is not ready to change",
    "Ending well: planning exits with participants",
    "Call-backs and keeping promises",
)


# The walk-through's people: Pat Rivera (participant1, with supporter1) and Jordan Lee.
PAT_GOALS = (
    (
        "Drink only at weekends, and never alone.",
        "physical",
        "Drinking days a week, in my phone",
        ("contemplation", "preparation", "action"),
    ),
    (
        "Move into my own apartment by the end of the year.",
        "environmental",
        "Lease signed",
        ("preparation", "action"),
    ),
)
JORDAN_GOALS = (
    (
        "Stay off alcohol completely and get my 90-day chip.",
        "emotional",
        "Days sober, counted at my Tuesday meeting",
        ("preparation", "action"),
    ),
)
GOAL_DETAILS[PAT_GOALS[0][0]] = (
    "harm_reduction",
    "I want to remember my evenings, and to be sharp for my shifts.",
    "I stopped for three months in 2021; my friend Dee checks in on Fridays.",
    (("Keep a drink diary for a month", "participant"),
     ("Plan three alcohol-free evenings a week", "participant"),
     ("Find a SMART Recovery meeting nearby", "supporter")),
)  # fmt: skip
GOAL_DETAILS[PAT_GOALS[1][0]] = (
    "not_applicable",
    "Sharing with my cousin is why I drink more; a place of my own is a fresh start.",
    "Steady job at the bakery; I have saved two months' rent.",
    (("Get on the county housing list", "both"),
     ("Visit three apartments", "participant"),
     ("Ask the bakery for a reference letter", "participant")),
)  # fmt: skip
GOAL_DETAILS[JORDAN_GOALS[0][0]] = (
    "abstinence",
    "Every slip started with one drink. None is easier for me than some.",
    "My Tuesday group; my brother Luis drives me; 30 days already once this year.",
    (("Tuesday meeting every week", "participant"),
     ("Tell Luis when a weekend looks risky", "participant")),
)  # fmt: skip
PAT_SHEET = {
    "channels": ["phone", "text", "email"],
    "days_and_hours": "Weekdays 10–4",
    "frequency": "Once a week",
    "messages_ok": True,
}

PAT_CANCELLED = (
    (12, 11, "Supporter called to a crisis at the respite house; Pat was told an hour before."),
    (9, 14, "Supporter out sick; Pat was told that morning. Moved to next week."),
)
PAT_NOTE = {
    "topics": "Drink diary; alcohol-free evenings; apartment listings",
    "body": (
        "Met at the library as planned. Pat brought the drink diary: four drinking days last "
        "week, down from six, and none alone. They want to plan three alcohol-free evenings "
        "and asked how I got through evenings early on; I shared one thing that helped me "
        "and turned it back to what might work for them. We looked at two apartment "
        "listings; Pat chose which to call first. We ran a quarter of an hour over, at "
        "Pat's wish. They seemed lighter by the end."
    ),
    "techniques": ["clarifying", "own_solutions", "information", "follow_through"],
    "wellness_dimensions": ["emotional", "environmental", "physical"],
    "readiness_signals": ["resolve", "new_future", "wants_plan"],
    "shared_own_story": True,
    "sharing_purpose": (
        "Pat asked how I got through evenings; one example, to show it can be done, then "
        "back to their own ideas."
    ),
    "summary": (
        "Good to see you. Your diary shows real change: fewer drinking days and none alone. "
        "Next: three alcohol-free evenings this week, and a call about the two apartments. "
        "I will send the SMART Recovery meeting times."
    ),
}
PAT_STEPS = (
    ("Send the SMART Recovery meeting times", "supporter", 1),
    ("Call about the two apartments", "participant", 3),
    ("Plan three alcohol-free evenings this week", "participant", 7),
)
PAT_ADDENDUM = (
    "Pat texted the next day: the SMART Recovery meeting they want is on Wednesdays, not "
    "Tuesdays as written above."
)
PAT_DRAFT = {
    "topics": "The apartment viewing",
    "body": (
        "Phone check-in; they called on time. Pat has a viewing coming up and is nervous "
        "about the landlord asking for references. We went over what to say. Two "
        "alcohol-free evenings so far this week."
    ),
    "techniques": ["clarifying", "brainstorming"],
    "wellness_dimensions": ["emotional", "environmental"],
    "readiness_signals": ["resolve"],
    "summary": "Good luck at the viewing. You know what to say; the bakery letter will help.",
}
PAT_CONTACT_ASK = "Texted to ask for a call about the apartment viewing."
PAT_CONTACT_SENT = "Sent the SMART Recovery meeting times, as promised."
EVICTION_NOTE = {
    "topics": "Eviction letter; what to do this week",
    "body": (
        "Met at the coffee shop near the bus station. They had opened an eviction letter "
        "the night before and were shaking. We read it together, called the tenant hotline "
        "from my phone and stayed until there was a plan for the week. Ran almost two hours; "
        "I want to talk about that in supervision."
    ),
    "techniques": ["clarifying", "information", "own_solutions"],
    "wellness_dimensions": ["environmental", "financial", "emotional"],
    "readiness_signals": ["questions"],
    "summary": (
        "You handled a frightening letter well. The tenant hotline calls you back by "
        "Thursday; bring the letter next time."
    ),
}
EVICTION_STEPS = (
    ("Wait for the tenant hotline's call back", "participant", 2),
    ("Bring the letter to the next meeting", "participant", 7),
)
EVICTION_TEXT = "Texted late: could not sleep, worried about a letter from the landlord."
EVICTION_REPLY = "Replied that night that we would look at it together in the morning."
SATURDAY_CALL = "Called on Saturday morning about the letter; talked for twenty minutes."
CALLBACK_OPEN = "Left a voicemail asking for a call back about a ride to the clinic."
CALLBACK_OVERDUE = "Left a voicemail asking for a call back about the court letter."
LATER_ADDENDUM = "Added later: they called to say the plan we made got them through the weekend."
SECOND_FOLLOW_UP = "Bring your call-back times to the next session"
# (supporter, days ago, minutes, topics, engagements discussed, notes, follow-up, due in
# days ago, done)
SUPERVISION = (
    ("supporter1", 55, 60, SUPERVISION_TOPICS[0], ("pat", "late_note"),
     "Caseload is full but manageable. Two notes were late last month.",
     "Finalize the two notes still in draft", 50, True),
    ("supporter2", 40, 60, "Supporting someone through a court date; self-care after a hard week",
     ("callback",), "Hard week; Omar took an afternoon off afterwards, as agreed.",
     FOLLOW_UPS[2], 30, True),
    ("supporter1", 27, 45, "Boundaries: a request to borrow money", (),
     "The boundary held and was explained kindly; the concern is resolved.",
     FOLLOW_UPS[1], 20, True),
    ("supporter1", 3, 60, "Boundaries early in a new match: late texts and a long meeting",
     ("new_match",),
     "The eviction letter explains a lot. Agreed: answer late texts the next morning, and "
     "look at the agreed contact hours together.",
     "Revisit the agreed contact hours with them at the next meeting", -4, False),
    ("supporter2", 1, 30, "A safety concern for a participant: working with the coordinator",
     ("jordan",), "The coordinator is reviewing the concern; Omar knows who to call.",
     "Check that their emergency plan names who to call", -3, False),
)  # fmt: skip


@dataclass(frozen=True)
class _Hours:
    """The days and hours a team plan worksheet agrees on, as data (empty: any)."""

    days: tuple[int, ...] = ()
    start: int | None = None  # hour
    end: int | None = None

    def fields(self) -> dict:
        return {
            "contact_days": list(self.days),
            "contact_from": datetime.time(self.start) if self.start is not None else None,
            "contact_until": datetime.time(self.end) if self.end is not None else None,
        }

    @property
    def meeting_hours(self) -> tuple[int, ...]:
        """Hours at which an hour-long meeting starts and ends within the agreed hours."""
        return tuple(
            h
            for h in range(8, 18)
            if (self.start is None or h >= self.start) and (self.end is None or h + 1 <= self.end)
        )


# The worksheet's free text (DEMO_HOURS) and the agreed hours it stands for.
AGREED_HOURS = {
    "Weekdays 10–4": _Hours((0, 1, 2, 3, 4), 10, 16),
    "Mornings before noon": _Hours((), 8, 12),
    "Tuesdays and Thursdays after 2": _Hours((1, 3), 14, None),
    "": _Hours(),
}


def _fit(
    hours: _Hours | None, today: datetime.date, days_ago: int, hour: int, lo: int, hi: int
) -> tuple[int, int]:
    """The nearest day (within lo..hi days ago) and hour the agreed hours allow."""
    if hours is None:
        return days_ago, hour
    if hours.days:
        weekday = today.weekday()
        for k in range(7):
            if days_ago + k <= hi and (weekday - days_ago - k) % 7 in hours.days:
                days_ago += k
                break
            if days_ago - k >= lo and (weekday - days_ago + k) % 7 in hours.days:
                days_ago -= k
                break
    allowed = hours.meeting_hours
    if allowed and hour not in allowed:
        hour = min(allowed, key=lambda h: (abs(h - hour), h))
    return days_ago, hour


def _note_content(body: str, rng: random.Random) -> dict:
    """A note's structured fields, agreeing with what its body says."""
    said = [CONVERSATIONS[m] for m in NOTE_MIDDLES if m in body]
    techniques = rng.choice(TECHNIQUE_SETS)
    topics = [topic for topic, _d, _r in said]
    dimensions = {d for _t, dims, _r in said for d in dims}
    signals = {s for _t, _d, sigs in said for s in sigs}
    shared = SHARED_MIDDLE in body or rng.random() < 0.05
    purpose = ""
    if shared:
        purpose = SHARING_PURPOSES[0] if SHARED_MIDDLE in body else rng.choice(SHARING_PURPOSES)
    summary = ""
    if rng.random() < 0.65:
        summary = f"Thanks for today. We talked about {' and '.join(topics)}."
        closing = rng.choice(SUMMARY_CLOSINGS)
        summary = f"{summary} {closing}".strip()
    return {
        "topics": "; ".join(topics).capitalize(),
        "body": body,
        "techniques": [t for t in Technique.values if t in techniques],
        "wellness_dimensions": [d for d in WellnessDimension.values if d in dimensions],
        "readiness_signals": [s for s in ReadinessSignal.values if s in signals],
        "shared_own_story": shared,
        "sharing_purpose": purpose,
        "summary": summary,
    }


def _place(mode: str, rng: random.Random) -> str:
    if mode != Mode.IN_PERSON:
        return PlaceType.VIRTUAL
    return _weighted(rng, [(PlaceType.COMMUNITY, 6), (PlaceType.OFFICE, 3), (PlaceType.HOME, 1)])


def _stage_path(rng: random.Random, moves: int, done: bool) -> list[str]:
    """Stages of change a goal went through: mostly forward, sometimes back a step."""
    start = _weighted(rng, [(1, 40), (2, 35), (3, 20), (0, 5)])
    path = [start]
    for _ in range(moves):
        draw = rng.random()
        step = -1 if draw < 0.1 and path[-1] > 1 else 1 if draw < 0.7 else 0
        path.append(min(path[-1] + step, 4))
    if done and path[-1] < 4:
        path.append(4)
    out = [STAGE_ORDER[path[0]]]
    for i in path[1:]:
        if STAGE_ORDER[i] != out[-1]:
            out.append(STAGE_ORDER[i])
    return out


def _ratings(rng: random.Random, count: int) -> list[int]:
    """Check-in ratings over time: a walk that mostly climbs, with a dip now and then."""
    rating, out = rng.choice((1, 2, 2, 3)), []
    for _ in range(count):
        out.append(rating)
        rating = max(1, min(5, rating + rng.choice((-1, 0, 0, 1, 1))))
    return out


# --- helpers -------------------------------------------------------------------------


def _finalized(logged: datetime.datetime, author_id: int) -> dict:
    """A note's signing: notes of the last two days may still be drafts, older ones are final."""
    if timezone.now() - logged < datetime.timedelta(days=2):
        return {}
    return {"status": NoteStatus.FINAL, "finalized_at": logged, "finalized_by_id": author_id}


@contextmanager
def _keep_timestamps(*fields: Field) -> Iterator[None]:
    """Let back-dated history keep its dates: auto_now fields would stamp it today."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _field(model, name: str) -> Field:
    return model._meta.get_field(name)


def _weighted(rng: random.Random, pairs: Sequence[tuple[object, float]]):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


# --- the small story, through the services --------------------------------------------


@dataclass
class _Person:
    first_name: str
    last_name: str
    preferred_language: str = "en"
    pronouns: str = ""
    date_of_birth: datetime.date | None = None

    def as_dict(self) -> dict:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "preferred_language": self.preferred_language,
            "pronouns": self.pronouns,
            "date_of_birth": self.date_of_birth,
        }


class _Builder:
    def __init__(self, *, seed: int, today: datetime.date) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        # Emergency plans and worksheets draw from their own generator, so the rest of the
        # story draws the same as before they existed.
        self.plan_rng = random.Random(seed + 7927)
        # And so do issue 5's records: meeting outcomes, structured notes, goal progress,
        # contacts, plans and supervision.
        self.more = random.Random(seed + 7949)
        self.today = today
        self.tz = timezone.get_current_timezone()
        # One hash for every demo account: Argon2 is slow on purpose.
        self.password_hash = make_password(DEMO_PASSWORD)

    # time --------------------------------------------------------------------------

    def at(self, days_ago: float, hour: int = 10, minute: int = 0) -> datetime.datetime:
        day = self.today - datetime.timedelta(days=int(days_ago))
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    # people ------------------------------------------------------------------------

    def person(self) -> _Person:
        rng = self.rng
        language = _weighted(
            rng, [("en", 78), ("es", 15), *((code, 1) for code in OTHER_LANGUAGES)]
        )
        age_days = rng.randint(18 * 365, 72 * 365)
        return _Person(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            preferred_language=language,
            pronouns=rng.choice(PRONOUNS),
            date_of_birth=self.today - datetime.timedelta(days=age_days),
        )

    def account(self, username: str, first: str, last: str, role: str, **extra) -> User:
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@riverbend.example",
            password=self.password_hash,
            **extra,
        )
        Membership.objects.create(user=user, organization=self.org, role=role)
        if role != Role.PARTICIPANT:
            # Staff sign in with a second step; seed_demo prints each demo app's key.
            TOTPDevice.objects.create(
                user=user,
                name=APP_DEVICE_NAME,
                confirmed=True,
                key=demo_totp_key(self.seed, username),
            )
        return user

    def supporter(
        self,
        user: User,
        *,
        languages: list[str],
        lived: list[str],
        gender: str,
        capacity: int,
        programs: list[Program],
        supervisor: User | None = None,
    ) -> PeerSupporterProfile:
        profile = PeerSupporterProfile.objects.create(
            user=user,
            organization=self.org,
            languages=languages,
            lived_experience=lived,
            gender=gender,
            capacity=capacity,
            supervisor=supervisor,
        )
        profile.programs.set(programs)
        return profile

    # the organization ----------------------------------------------------------------

    def story(self) -> None:
        self.org = Organization.objects.create(
            name=ORGANIZATION_NAME,
            slug=ORGANIZATION_SLUG,
            phone="555-201-0100",
            email="hello@riverbend.example",
            address="40 Mill Street\nRiverbend",
        )
        self.cps = Program.objects.create(
            organization=self.org,
            name="Community Peer Support",
            description="Open-ended one-to-one peer support in the community.",
            duration_guideline_days=365,
            assessment_interval_months=12,
        )
        self.respite = Program.objects.create(
            organization=self.org,
            name="Peer Respite",
            description="A short stay at the peer-run respite house.",
            duration_guideline_days=7,
            assessment_interval_months=1,
        )
        self.templates = {t.title: t for t in starting_templates_install(organization=self.org)}
        instruments_install()  # the shipped surveys (BARC-10, WHO-5, progress, exit)
        self.required = {}
        for program, key in ((self.cps, "cps"), (self.respite, "respite")):
            templates = [self.templates[title] for title in REQUIRED[key]]
            DocumentRequirement.objects.bulk_create(
                DocumentRequirement(program=program, template=t) for t in templates
            )
            self.required[program.pk] = templates
        self.staff()
        self.engagements()
        self.open_referrals()
        self.concerns()
        self.walkthrough()

    def staff(self) -> None:
        both = [self.cps, self.respite]
        self.admin = self.account("admin", "Alex", "Morgan", Role.ADMIN, is_staff=True)
        self.coordinator = self.account("coordinator", "Cora", "Whitfield", Role.COORDINATOR)
        self.coordinator.memberships.get().programs.set(both)
        self.supervisor = self.account("supervisor", "Sam", "Okafor", Role.SUPERVISOR)
        self.supporter1 = self.account("supporter1", "Sunny", "Alvarez", Role.SUPPORTER)
        self.supporter(
            self.supporter1,
            languages=["en", "es"],
            lived=["substance_use", "parenting"],
            gender=Gender.WOMAN,
            capacity=12,
            programs=both,
            supervisor=self.supervisor,
        )
        self.supporter2 = self.account("supporter2", "Omar", "Haddad", Role.SUPPORTER)
        self.supporter(
            self.supporter2,
            languages=["en", "ar"],
            lived=["mental_health", "justice"],
            gender=Gender.MAN,
            capacity=12,
            programs=[self.cps],
            supervisor=self.supervisor,
        )
        # Colleagues who appear in caseloads and matching but never sign in.
        self.extras: list[User] = []
        rng = self.rng
        for i in range(1, 6):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user = User.objects.create(
                username=f"peer-{i:03d}", first_name=first, last_name=last, password="!"
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Membership.objects.create(user=user, organization=self.org, role=Role.SUPPORTER)
            programs = both if i % 2 else [self.cps]
            languages = ["en"] + (["es"] if rng.random() < 0.4 else [])
            self.supporter(
                user,
                languages=languages,
                lived=rng.sample(LIVED_EXPERIENCE, rng.randint(1, 3)),
                gender=rng.choice([Gender.WOMAN, Gender.MAN, Gender.NONBINARY]),
                capacity=rng.choice([8, 10, 12, 15]),
                programs=programs,
            )
            self.extras.append(user)
        self.caseload = dict.fromkeys([self.supporter1.pk, self.supporter2.pk], 0)
        self.caseload.update(dict.fromkeys([u.pk for u in self.extras], 0))

    def pick_supporter(self, program: Program) -> User:
        pool = [u for u in self.extras if (program == self.cps or self.extras.index(u) % 2 == 0)]
        pool.sort(key=lambda u: (self.caseload[u.pk], u.pk))
        return pool[0] if self.rng.random() < 0.6 else self.rng.choice(pool[:3])

    # engagements -------------------------------------------------------------------

    def referral(self, person: _Person, program: Program, received_days_ago: float) -> Referral:
        rng = self.rng
        referral = referral_create(
            organization=self.org,
            program=program,
            actor=self.coordinator,
            participant=person.as_dict(),
            source=rng.choice(Source.values),
            needs=rng.choice(NEEDS),
            preferred_language=person.preferred_language,
            urgency=_weighted(rng, [(Urgency.ROUTINE, 6), (Urgency.SOON, 3), (Urgency.URGENT, 1)]),
            lived_experience_wanted=rng.sample(LIVED_EXPERIENCE, rng.randint(0, 2)),
            contact_channel=rng.choice(["phone", "text", "email", ""]),
        )
        Referral.objects.filter(pk=referral.pk).update(received_at=self.at(received_days_ago, 9))
        return referral

    def engagements(self) -> None:
        """Two demo participants with accounts, then a few dozen in every state."""
        cps, respite = self.cps, self.respite
        self.p1_engagement = self.engagement(
            _Person("Pat", "Rivera", "en", "they/them"),
            cps,
            State.ACTIVE,
            supporter=self.supporter1,
            matched_days_ago=420,
            meetings=8,
            planned=1,
            goals=2,
            assessments=[Tier.MAKING_PROGRESS],
            goal_specs=PAT_GOALS,
            sheet=PAT_SHEET,
            plan_styles=[PlanStyle.ONGOING],
        )
        self.p2_engagement = self.engagement(
            _Person("Jordan", "Lee", "en", "he/him"),
            cps,
            State.ACTIVE,
            supporter=self.supporter2,
            matched_days_ago=95,
            meetings=5,
            planned=1,
            goals=1,
            goal_specs=JORDAN_GOALS,
        )
        self.portal_account(self.p1_engagement.participant, "participant1")
        self.portal_account(self.p2_engagement.participant, "participant2")

        s1, s2 = self.supporter1, self.supporter2
        # (state, program, supporter, days since match, held meetings, planned, goals, tiers)
        plan: list[tuple] = [
            (State.ACTIVE, cps, s1, 200, 6, 1, 2, [], "late_note"),
            (State.ACTIVE, cps, s1, 520, 7, 1, 2, [Tier.MAINTAINING]),
            (State.ACTIVE, cps, s1, 45, 3, 1, 1, [], "new_match"),
            (State.ACTIVE, cps, s2, 300, 5, 0, 2, [], "callback"),
            (State.ACTIVE, cps, s2, 390, 4, 1, 1, []),  # assessment overdue
            (State.ACTIVE, cps, None, 150, 4, 1, 1, []),
            (State.ACTIVE, cps, None, 700, 6, 1, 3, [Tier.MAKING_PROGRESS, Tier.MAINTAINING]),
            (State.ACTIVE, respite, s1, 5, 3, 1, 1, []),
            (State.ACTIVE, respite, None, 11, 4, 0, 1, [Tier.MAINTAINING]),  # past guideline
            (State.ONBOARDING, cps, s1, 6, 1, 1, 0, []),
            (State.ONBOARDING, cps, s2, 3, 0, 1, 0, []),
            (State.ONBOARDING, cps, None, 9, 1, 0, 0, []),
            (State.ONBOARDING, respite, None, 1, 0, 0, 0, []),
            (State.MATCHED, cps, s2, 2, 0, 0, 0, []),
            (State.MATCHED, cps, None, 1, 0, 0, 0, []),
            (State.MATCHED, respite, s1, 1, 0, 0, 0, []),
            (State.EXITING, cps, s1, 380, 6, 0, 2, [Tier.EXITING]),
            (State.EXITING, cps, s2, 240, 4, 0, 1, []),
            (State.EXITING, cps, None, 160, 3, 0, 1, []),
            (State.CLOSED, cps, s1, 640, 6, 0, 2, [Tier.MAKING_PROGRESS, Tier.EXITING]),
            (State.CLOSED, cps, s2, 300, 4, 0, 1, []),
            (State.CLOSED, cps, None, 410, 5, 0, 2, [Tier.EXITING]),
            (State.CLOSED, cps, None, 120, 2, 0, 1, []),
            (State.CLOSED, respite, None, 60, 3, 0, 0, []),
        ]
        # Tagged rows have a part in the walk-through (``walkthrough``).
        self.tagged: dict[str, Engagement] = {}
        for state, program, supporter, days, held, planned, goals, tiers, *tag in plan:
            sheet = {"days_and_hours": "Weekdays 10–4"} if tag == ["new_match"] else None
            engagement = self.engagement(
                self.person(),
                program,
                state,
                supporter=supporter or self.pick_supporter(program),
                matched_days_ago=days,
                meetings=held,
                planned=planned,
                goals=goals,
                assessments=tiers,
                sheet=sheet,
            )
            if tag:
                self.tagged[tag[0]] = engagement
        # A returning participant: a respite stay last year, now in community support.
        person = self.person()
        earlier = self.engagement(
            person, respite, State.CLOSED, supporter=s1, matched_days_ago=330, meetings=3
        )
        self.tagged["returning"] = self.engagement(
            person,
            cps,
            State.ACTIVE,
            supporter=s1,
            matched_days_ago=250,
            meetings=5,
            planned=1,
            goals=2,
            participant=earlier.participant,
            sheet={"days_and_hours": ""},  # any day, any time
        )

    def portal_account(self, participant: Participant, username: str) -> None:
        user = self.account(
            username, participant.first_name, participant.last_name, Role.PARTICIPANT
        )
        participant.user = user
        participant.save(update_fields=["user"])

    def engagement(
        self,
        person: _Person,
        program: Program,
        state: str,
        *,
        supporter: User,
        matched_days_ago: int,
        meetings: int = 0,
        planned: int = 0,
        goals: int = 0,
        assessments: Sequence[int] = (),
        participant: Participant | None = None,
        goal_specs: Sequence[tuple] = (),
        sheet: dict | None = None,
        plan_styles: Sequence[str] = (),
    ) -> Engagement:
        """One engagement told through the services, then back-dated to its timeline."""
        rng, coordinator = self.rng, self.coordinator
        respite = program == self.respite
        t_match = self.at(matched_days_ago, 11)
        received = matched_days_ago + rng.randint(2, 12)
        t_active = matched_days_ago - (1 if respite else rng.randint(5, 14))
        t_active = max(t_active, 0)
        if state == State.CLOSED:
            span = 6 if respite else rng.randint(90, max(91, matched_days_ago - 30))
            t_close_days = max(matched_days_ago - span, 1)
            t_exit_days = t_close_days + (1 if respite else rng.randint(7, 28))
            t_exit_days = min(t_exit_days, t_active - 1 if t_active > 1 else t_close_days)
        elif state == State.EXITING:
            t_close_days = None
            t_exit_days = rng.randint(3, 20)
        else:
            t_close_days = t_exit_days = None

        if participant is None:
            referral = self.referral(person, program, received)
        else:
            referral = referral_create(
                organization=self.org,
                program=program,
                actor=coordinator,
                participant=participant,
                source=Source.SELF,
                needs="Returning after a respite stay; wants ongoing support.",
                preferred_language=participant.preferred_language,
            )
            Referral.objects.filter(pk=referral.pk).update(received_at=self.at(received, 9))
        referral_accept(referral=referral, actor=coordinator)
        Referral.objects.filter(pk=referral.pk).update(screened_at=self.at(received - 1, 14))

        if state == State.MATCHED:
            engagement = self._matched_without_onboarding(referral, supporter, t_match)
            self.caseload[supporter.pk] += 1
            return engagement

        engagement = match_confirm(referral=referral, supporter=supporter, actor=coordinator)
        self.caseload[supporter.pk] += 1
        Referral.objects.filter(pk=referral.pk).update(matched_at=t_match)
        Engagement.objects.filter(pk=engagement.pk).update(started_on=t_match.date())
        engagement.refresh_from_db()
        timeline = {State.MATCHED: t_match, State.ONBOARDING: t_match}

        # Documents: every one required before active; some along the way while onboarding
        # (the rest wait in the participant's portal). Signed on paper in the story.
        required = self.required[program.pk]
        if state == State.ONBOARDING:
            required = required[: rng.randint(0, len(required))]
        person = engagement.participant
        signers = {
            SignerRole.PARTICIPANT: f"{person.first_name} {person.last_name}".strip(),
            SignerRole.SUPPORTER: supporter.get_full_name(),
        }
        for i, template in enumerate(required):
            signed = max(
                min(matched_days_ago, (t_active if state != State.ONBOARDING else 0) + i), 0
            )
            for role in needed_roles(template.current.signers):
                record = document_record_paper(
                    engagement=engagement,
                    version=template.current,
                    signer_name=signers[role],
                    role=role,
                    signed_on=self.today - datetime.timedelta(days=signed),
                    actor=supporter,
                )
                SignedDocument.objects.filter(pk=record.pk).update(recorded_at=self.at(signed, 17))
        if state != State.ONBOARDING or self.plan_rng.random() < 0.5:
            self.emergency_plan(engagement, supporter, min(t_active + 1, matched_days_ago))
        if state != State.ONBOARDING:
            for step in OnboardingStep.Step.values:
                onboarding_step_record(engagement=engagement, step=step, actor=supporter)
            engagement.onboarding_steps.update(done_at=self.at(t_active + 1, 11))
            self.team_plan(engagement, supporter, t_active, sheet)
            engagement = engagement_transition(
                engagement=engagement,
                to_state=State.ACTIVE,
                actor=supporter,
                reason="All required agreements signed",
            )
            timeline[State.ACTIVE] = self.at(t_active, 15)
            Engagement.objects.filter(pk=engagement.pk).update(
                activated_on=timeline[State.ACTIVE].date()
            )
            engagement.refresh_from_db()

        # Meetings, spread between activation (or the match) and the exit (or today), at
        # the days and hours the worksheet agrees on; a no-show now and then, and a few
        # cancelled with a reason.
        more = self.more
        hours = self.agreed_hours(engagement)
        first = t_active if state != State.ONBOARDING else matched_days_ago
        last = t_exit_days or t_close_days or 1
        days = sorted({rng.randint(last, max(first, last)) for _ in range(meetings)}, reverse=True)
        notes: list[tuple[Note, int]] = []
        for n, day in enumerate(days):
            hour = rng.choice([9, 10, 11, 13, 14, 15, 16])
            has_note = n % 5 != 4 or state == State.CLOSED
            minute = rng.choice([0, 30])
            planned_minutes = rng.choice([30, 45, 60, 60, 90])
            mode = _weighted(rng, [(Mode.IN_PERSON, 5), (Mode.PHONE, 3), (Mode.VIDEO, 2)])
            body = self.note_body() if has_note else ""
            step = rng.choice(NEXT_STEPS) if has_note else ""
            top = max(first, last, 1)
            day, hour = _fit(hours, self.today, max(day, 1), hour, lo=1, hi=top)
            if more.random() < 0.1:
                before = min(day + more.randint(2, 6), top)
                self.cancelled_meeting(engagement, supporter, before, hour, hours)
            if not has_note:
                # No note to write: the participant did not come.
                self.past_meeting(
                    engagement, supporter, day, hour, minute, planned_minutes, mode,
                    status=MeetingStatus.MISSED,
                )  # fmt: skip
                continue
            actual = planned_minutes
            if more.random() < 0.25:
                actual = max(planned_minutes + more.choice((-15, 15, 15, 30)), 15)
            meeting = self.past_meeting(
                engagement, supporter, day, hour, minute, planned_minutes, mode, actual=actual
            )
            notes.append((self.structured_note(meeting, supporter, body, step, day), day))
        if state in (State.ACTIVE, State.EXITING) and not respite:
            self.contacts(engagement, supporter, last, min(first, 60), more.randint(1, 4))
        for _ in range(planned):
            day, hour = _fit(
                hours, self.today, -rng.randint(1, 10), rng.choice([10, 14, 16]), lo=-13, hi=-1
            )
            self.planned_meeting(engagement, supporter, day, hour)

        goal_rows = []
        for i, (statement, dimension, measure) in enumerate(rng.sample(GOALS, goals)):
            path: Sequence[str] = ()
            if i < len(goal_specs):
                statement, dimension, measure, path = goal_specs[i]
            created = max(first - 3 - 7 * i, last)
            goal = self.goal(
                engagement, supporter, statement, dimension, measure, created, last, path
            )
            if state == State.CLOSED or (i == 1 and state == State.EXITING):
                goal = goal_update(
                    goal=goal,
                    actor=supporter,
                    expected_version=goal.version,
                    status=rng.choice([GoalStatus.ACHIEVED, GoalStatus.SET_ASIDE]),
                )
            stamp = self.at(created, 12)
            Goal.objects.filter(pk=goal.pk).update(created_at=stamp, updated_at=stamp)
            goal_rows.append((goal, created))
        self.goals_touched(notes, goal_rows)
        if state == State.ACTIVE and goal_rows:
            goals_now = [goal for goal, _ in goal_rows]
            for k, style in enumerate(plan_styles or ("",)):
                # Later plans (the walk-through's formal one) are recent.
                when = goal_rows[-1][1] if k == 0 else 20
                self.plan(engagement, supporter, goals_now, when, style)

        # Assessments: the last one recent enough for what the story needs.
        interval = 25 if respite else 330
        end = t_exit_days or t_close_days or 0
        for i, tier in enumerate(assessments):
            days_ago = max(end + 2, first - interval * (i + 1) + rng.randint(0, 20))
            if respite:
                days_ago = max(end + 1, first - 5)
            assessment = assessment_record(
                engagement=engagement,
                actor=supporter,
                tier=tier,
                rationale=rng.choice(RATIONALES[Tier(tier)]),
                ongoing_plan=rng.choice(ONGOING_PLANS),
                assessed_on=self.today - datetime.timedelta(days=min(days_ago, first)),
                # Kept only where the demo's tier differs from the suggested one.
                tier_override_reason="The team weighed what the figures do not show.",
                **ASSESSMENT_PLAN,
            )
            signed_at = self.at((self.today - assessment.assessed_on).days, 15)
            _assessment_signed_by_both(assessment, supporter, signed_at)

        if state in (State.EXITING, State.CLOSED):
            reason = _weighted(
                rng,
                [
                    (ExitReason.GOALS_MET, 4),
                    (ExitReason.PARTICIPANT_CHOICE, 2),
                    (ExitReason.MOVED, 1),
                    (ExitReason.HOSPITALIZED, 1),
                    (ExitReason.LOST_CONTACT, 1),
                ],
            )
            engagement.refresh_from_db()
            exit_ = exit_start(
                engagement=engagement, actor=supporter, reason=reason, note=EXIT_NOTES[reason]
            )
            timeline[State.EXITING] = self.at(t_exit_days, 16)
            Exit.objects.filter(pk=exit_.pk).update(started_at=timeline[State.EXITING])
            if state == State.CLOSED:
                engagement.refresh_from_db()
                _concluding_checklist(engagement, supporter, reason)
                exit_complete(engagement=engagement, actor=supporter)
                timeline[State.CLOSED] = self.at(t_close_days, 16, 30)
                Exit.objects.filter(pk=exit_.pk).update(completed_at=timeline[State.CLOSED])
                # The checklist was worked through between the exit's start and its close.
                ConcludingStep.objects.filter(engagement=engagement).update(
                    recorded_at=timeline[State.EXITING]
                    + (timeline[State.CLOSED] - timeline[State.EXITING]) / 2
                )
                Engagement.objects.filter(pk=engagement.pk).update(
                    closed_on=timeline[State.CLOSED].date()
                )
                self.caseload[supporter.pk] -= 1

        self._stamp_timeline(engagement, timeline)
        engagement.refresh_from_db()
        return engagement

    def emergency_plan(self, engagement: Engagement, supporter: User, days_ago: int) -> None:
        """The participant's plan, written with the supporter before activation."""
        if EmergencyPlan.objects.filter(participant_id=engagement.participant_id).exists():
            return  # a returning participant's plan carries over
        version = emergency_plan_save(
            participant=engagement.participant,
            actor=supporter,
            based_on=0,
            engagement=engagement,
            **_plan_content(self.plan_rng),
        )
        EmergencyPlanVersion.objects.filter(pk=version.pk).update(saved_at=self.at(days_ago, 13))

    def team_plan(
        self, engagement: Engagement, supporter: User, t_active: int, sheet: dict | None = None
    ) -> None:
        """The worksheet agreed at activation, and reviewed yearly, though not always on time.

        ``sheet`` overrides what is drawn (the walk-through's people have theirs on purpose);
        the agreed hours are stored as data too, as the worksheet's text says them.
        """
        rng = self.plan_rng
        values = {
            "channels": rng.choice(DEMO_CHANNELS),
            "days_and_hours": rng.choice(DEMO_HOURS),
            "frequency": rng.choice(DEMO_FREQUENCIES),
            "language": engagement.participant.preferred_language,
            "messages_ok": rng.random() < 0.7,
            "boundaries": rng.choice(DEMO_BOUNDARIES),
        }
        values.update(sheet or {})
        values["reminders_ok"] = self.more.random() < 0.85
        values.update(AGREED_HOURS[values["days_and_hours"]].fields())
        worksheet = worksheet_save(
            engagement=engagement, actor=supporter, expected_version=0, **values
        )
        reviewed = self.today - datetime.timedelta(days=t_active)
        while (self.today - reviewed).days > 365 and rng.random() < 0.6:
            reviewed = review_due(reviewed)
        TeamPlanWorksheet.objects.filter(pk=worksheet.pk).update(
            reviewed_on=reviewed, review_due_on=review_due(reviewed)
        )
        worksheet.history.update(history_date=self.at(t_active, 15, 30))

    def agreed_hours(self, engagement: Engagement) -> _Hours | None:
        """The worksheet's agreed hours; None while there is no worksheet."""
        text = (
            TeamPlanWorksheet.objects.filter(engagement=engagement)
            .values_list("days_and_hours", flat=True)
            .first()
        )
        return None if text is None else AGREED_HOURS.get(text, _Hours())

    # meetings, notes, goals and plans of the story -----------------------------------

    def _free_start(
        self,
        supporter: User,
        days_ago: int,
        hour: int,
        minute: int,
        minutes: int,
        hours: _Hours | None,
    ) -> datetime.datetime:
        """The hour nearest ``hour`` that day when the supporter has no other meeting."""
        allowed = (hours.meeting_hours if hours else ()) or (9, 10, 11, 13, 14, 15, 16)
        for h in sorted({hour, *allowed}, key=lambda h: (abs(h - hour), h)):
            starts = self.at(days_ago, h, minute)
            if not meeting_overlaps(
                supporter=supporter, starts_at=starts, duration_minutes=minutes
            ):
                return starts
        return self.at(days_ago, hour, minute)

    def past_meeting(
        self,
        engagement: Engagement,
        supporter: User,
        days_ago: int,
        hour: int,
        minute: int,
        planned_minutes: int,
        mode: str,
        *,
        status: str = MeetingStatus.HELD,
        actual: int | None = None,
    ) -> Meeting:
        """A meeting that was planned and then held (as long as it ran) or missed."""
        actual = actual or planned_minutes
        hours = self.agreed_hours(engagement)
        starts = self._free_start(supporter, days_ago, hour, minute, actual, hours)
        meeting = meeting_log(
            engagement=engagement,
            actor=supporter,
            starts_at=starts,
            duration_minutes=actual if status == MeetingStatus.HELD else planned_minutes,
            mode=mode,
            status=status,
            place_type=_place(mode, self.more),
        )
        # It was planned first: the plan's length stays beside the length it ran.
        Meeting.objects.filter(pk=meeting.pk).update(planned_minutes=planned_minutes)
        meeting.planned_minutes = planned_minutes
        self._stamp_meeting(meeting)
        return meeting

    def structured_note(
        self,
        meeting: Meeting,
        supporter: User,
        body: str,
        step: str,
        days_ago: int,
        content: dict | None = None,
        steps: Sequence[tuple[str, str, int]] = (),
    ) -> Note:
        """The meeting's note through ``note_save``; finalized unless written in the last
        two days. ``steps``: (text, owner, days after the meeting it is due)."""
        more = self.more
        content = content or _note_content(body, more)
        rows = list(steps)
        if step and not rows:
            rows.append((step, STEP_OWNERS[step], 7))
            if more.random() < 0.3:
                rows.append((more.choice(SUPPORTER_STEPS), "supporter", 3))
        met_on = self.today - datetime.timedelta(days=days_ago)
        note = note_save(
            meeting=meeting,
            actor=supporter,
            expected_version=None,
            steps=[
                {"text": text, "owner": owner, "due_on": met_on + datetime.timedelta(days=after)}
                for text, owner, after in rows
            ],
            **content,
        )
        for next_step in note.steps.filter(due_on__lt=self.today):
            if more.random() < 0.75:
                next_step.done_at = datetime.datetime.combine(
                    next_step.due_on, datetime.time(17), tzinfo=self.tz
                )
                next_step.save(update_fields=["done_at"])
        self._stamp_meeting(meeting)
        note.refresh_from_db()
        return note

    def cancelled_meeting(
        self,
        engagement: Engagement,
        supporter: User,
        days_ago: int,
        hour: int,
        hours: _Hours | None,
        reason: str = "",
    ) -> Meeting:
        """A meeting planned, then cancelled with a reason; moved back to when it was due.

        The services plan only future meetings, so it is planned for tomorrow, cancelled,
        then dated (with its history) where the story puts it.
        """
        meeting = meeting_schedule(
            engagement=engagement,
            actor=supporter,
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=60,
            mode=Mode.IN_PERSON,
            place_type=_place(Mode.IN_PERSON, self.more),
            allow_overlap=True,
        )
        meeting = meeting_cancel(
            meeting=meeting,
            actor=supporter,
            expected_version=meeting.version,
            reason=reason or self.more.choice(CANCEL_REASONS),
        )
        starts = self.at(days_ago, hour)
        planned_at = starts - datetime.timedelta(days=self.more.randint(3, 8))
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts, created_at=planned_at)
        rows = meeting.history.order_by("history_date", "history_id")
        for row, when in zip(
            rows, (planned_at, starts - datetime.timedelta(hours=20)), strict=False
        ):
            meeting.history.filter(history_id=row.history_id).update(
                starts_at=starts, history_date=when
            )
        return meeting

    def planned_meeting(
        self,
        engagement: Engagement,
        supporter: User,
        days_ago: int,
        hour: int,
        *,
        reminder: int | bool | None = True,
    ) -> Meeting:
        """A meeting planned in the coming two weeks, with a reminder lead time on some."""
        more = self.more
        minutes = more.choice((45, 60, 60, 90))
        mode = _weighted(more, [(Mode.IN_PERSON, 6), (Mode.PHONE, 3), (Mode.VIDEO, 1)])
        if reminder is True:
            reminder = more.choice((None, None, 60, 120, 1440))
        hours = self.agreed_hours(engagement)
        starts = self._free_start(supporter, days_ago, hour, 0, minutes, hours)
        meeting = meeting_schedule(
            engagement=engagement,
            actor=supporter,
            starts_at=starts,
            duration_minutes=minutes,
            mode=mode,
            place_type=_place(mode, more),
            reminder_minutes=reminder or None,
            allow_overlap=True,
        )
        Meeting.objects.filter(pk=meeting.pk).update(created_at=self.at(more.randint(1, 6), 17))
        return meeting

    def goal(
        self,
        engagement: Engagement,
        supporter: User,
        statement: str,
        dimension: str,
        measure: str,
        created: int,
        until: int,
        path: Sequence[str] = (),
    ) -> Goal:
        """A goal with its reasons and strengths, its stages of change over time, action
        steps (some done) and check-ins that make a trend."""
        more = self.more
        approach, why, strengths, steps = GOAL_DETAILS[statement]
        age = max(created - until, 0)
        path = list(path) or _stage_path(more, min(age // 90, 3), done=False)
        goal = goal_create(
            engagement=engagement,
            actor=supporter,
            statement=statement,
            wellness_dimension=dimension,
            measure=measure,
            approach=approach,
            why_it_matters=why,
            strengths=strengths,
            stage=path[0],
            stage_note=STAGE_NOTES[path[0]],
        )
        for stage in path[1:]:
            goal = goal_update(
                goal=goal,
                actor=supporter,
                expected_version=goal.version,
                stage=stage,
                stage_note=STAGE_NOTES[stage],
            )
        # Stages recorded evenly from the goal's start to the latest meeting.
        for k, row in enumerate(goal.stages.order_by("recorded_at", "id")):
            days_ago = created - age * k // len(path)
            GoalStage.objects.filter(pk=row.pk).update(recorded_at=self.at(days_ago, 12, 30 + k))
        for j, (text, owner) in enumerate(steps):
            due = created - 14 * (j + 1)
            action = step_create(
                goal=goal,
                actor=supporter,
                text=text,
                owner=owner,
                due_on=self.today - datetime.timedelta(days=due),
            )
            done = due > until and more.random() < 0.7
            if done:
                action = step_mark(
                    step=action, actor=supporter, expected_version=action.version, done=True
                )
            ActionStep.objects.filter(pk=action.pk).update(
                created_at=self.at(created, 12, 5),
                updated_at=self.at(max(due, until), 17) if done else self.at(created, 12, 5),
                done_at=self.at(max(due + more.randint(-3, 3), until), 17) if done else None,
            )
        checks = range(created - 14, until - 1, -more.randint(21, 35)) if age > 20 else ()
        ratings = _ratings(more, len(checks))
        for k, (days_ago, rating) in enumerate(zip(checks, ratings, strict=True)):
            change = 0 if k == 0 else (rating > ratings[k - 1]) - (rating < ratings[k - 1])
            check_in = check_in_record(
                goal=goal,
                actor=supporter,
                rating=rating,
                note=more.choice(CHECK_IN_NOTES[change]),
                checked_on=self.today - datetime.timedelta(days=max(days_ago, 1)),
            )
            CheckIn.objects.filter(pk=check_in.pk).update(created_at=self.at(max(days_ago, 1), 17))
        goal.refresh_from_db()
        return goal

    def goals_touched(self, notes: list[tuple[Note, int]], goals: list[tuple[Goal, int]]) -> None:
        """Link most notes to a goal of the engagement that existed when they met."""
        through = Note.goals.through
        links = []
        for note, day in notes:
            open_then = [goal for goal, created in goals if created >= day]
            if open_then and not note.goals.exists() and self.more.random() < 0.7:
                links.append(through(note_id=note.pk, goal_id=self.more.choice(open_then).pk))
        through.objects.bulk_create(links)

    def plan(
        self,
        engagement: Engagement,
        supporter: User,
        goals: list[Goal],
        days_ago: int,
        style: str = "",
    ) -> Plan:
        """The engagement's plan, in the style the two chose; a formal one signed by both."""
        more = self.more
        style = style or _weighted(
            more, [(PlanStyle.ONGOING, 5), (PlanStyle.INFORMAL_ONCE, 3), (PlanStyle.FORMAL, 2)]
        )
        discussed = self.today - datetime.timedelta(days=max(days_ago, 1))
        plan = plan_create(
            engagement=engagement,
            actor=supporter,
            style=style,
            goals=goals,
            agreed=more.choice(PLAN_AGREED),
            discussed_on=discussed,
            review_on=(
                discussed + datetime.timedelta(days=90)
                if style != PlanStyle.INFORMAL_ONCE
                else None
            ),
        )
        made = self.at(max(days_ago, 1), 16)
        Plan.objects.filter(pk=plan.pk).update(created_at=made, updated_at=made)
        if style == PlanStyle.FORMAL:
            participant = engagement.participant
            account = participant.user
            name = f"{participant.first_name} {participant.last_name}"
            signed = [
                plan_sign(
                    plan=plan,
                    role=PlanSignerRole.SUPPORTER,
                    typed_name=supporter.get_full_name(),
                    shown_hash=plan.sha256,
                    actor=supporter,
                    signer=supporter,
                    method=PlanSignatureMethod.IN_PERSON,
                ),
                plan_sign(
                    plan=plan,
                    role=PlanSignerRole.PARTICIPANT,
                    typed_name=name,
                    shown_hash=plan.sha256,
                    # With a portal account they sign there; without one, in person on the
                    # supporter's device, the supporter attesting who signed.
                    actor=account or supporter,
                    signer=account,
                    method=(
                        PlanSignatureMethod.PORTAL if account else PlanSignatureMethod.IN_PERSON
                    ),
                ),
            ]
            for k, signature in enumerate(signed):
                PlanSignature.objects.filter(pk=signature.pk).update(
                    signed_at=made + datetime.timedelta(minutes=10 + k * 60 * 20)
                )
        return plan

    def contacts(
        self, engagement: Engagement, supporter: User, lo: int, hi: int, count: int
    ) -> None:
        """Calls and texts between meetings, at agreed hours; call-backs returned in hours."""
        more = self.more
        hours = self.agreed_hours(engagement)
        if hi < lo:
            return
        for _ in range(count):
            channel, initiator, note, callback = more.choice(CONTACTS)
            day, hour = _fit(
                hours, self.today, more.randint(lo, hi), more.randint(9, 16), lo=lo, hi=hi
            )
            occurred = self.at(day, hour, more.choice((5, 20, 40, 55)))
            contact = contact_log(
                engagement=engagement,
                actor=supporter,
                occurred_at=occurred,
                channel=channel,
                initiated_by=initiator,
                note=note,
                callback_requested=callback,
            )
            Contact.objects.filter(pk=contact.pk).update(
                created_at=occurred + datetime.timedelta(minutes=10)
            )
            if callback:
                waited = datetime.timedelta(minutes=more.choice((25, 50, 90, 140, 240, 380)))
                contact_callback_return(
                    contact=contact, actor=supporter, returned_at=occurred + waited
                )

    def _matched_without_onboarding(
        self, referral: Referral, supporter: User, t_match: datetime.datetime
    ) -> Engagement:
        """A match made a moment ago, before onboarding began.

        ``match_confirm`` moves straight on to onboarding, so this state is written directly.
        """
        engagement = Engagement(
            organization=self.org,
            program=referral.program,
            participant=referral.participant,
            supporter=supporter,
            referral=referral,
            state=State.MATCHED,
            state_changed_at=t_match,
            started_on=t_match.date(),
        )
        engagement.guideline_ends_on = due_dates(engagement)[1]
        engagement.save()
        if supporter is not None:
            SupporterAssignment.objects.create(
                engagement=engagement,
                supporter=supporter,
                started_on=t_match.date(),
                reason="Matched",
                actor=self.coordinator,
            )
        StateChange.objects.create(
            engagement=engagement,
            from_state="",
            to_state=State.MATCHED,
            actor=self.coordinator,
            reason="Matched from referral",
            at=t_match,
        )
        Referral.objects.filter(pk=referral.pk).update(status=Status.MATCHED, matched_at=t_match)
        return engagement

    def _stamp_meeting(self, meeting: Meeting) -> None:
        logged = meeting.starts_at + datetime.timedelta(hours=2)
        Meeting.objects.filter(pk=meeting.pk).update(created_at=logged)
        Note.objects.filter(meeting=meeting).update(
            created_at=logged, updated_at=logged, **_finalized(logged, meeting.created_by_id)
        )

    def _stamp_timeline(self, engagement: Engagement, timeline: dict) -> None:
        """Move the record of each state change to when it happened in the story."""
        for n, change in enumerate(engagement.state_changes.order_by("at", "id")):
            at = timeline[change.to_state] + datetime.timedelta(seconds=n)
            StateChange.objects.filter(pk=change.pk).update(at=at)
        current = engagement.state_changes.order_by("-at", "-id").values_list("at", flat=True)
        Engagement.objects.filter(pk=engagement.pk).update(state_changed_at=current[0])

    def note_body(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        return " ".join(
            [rng.choice(NOTE_OPENINGS), *rng.sample(NOTE_MIDDLES, 2), rng.choice(NOTE_CLOSINGS)]
        )

    # referrals still waiting, and concerns -----------------------------------------------

    def open_referrals(self) -> None:
        rng = self.rng
        for status, count in (("new", 4), ("accepted", 3), ("waitlisted", 3), ("declined", 2)):
            for _ in range(count):
                program = self.respite if rng.random() < 0.25 else self.cps
                received = rng.randint(1, 3) if status == "new" else rng.randint(4, 40)
                referral = self.referral(self.person(), program, received)
                if status == "accepted":
                    referral_accept(referral=referral, actor=self.coordinator)
                elif status == "waitlisted":
                    referral_waitlist(
                        referral=referral, actor=self.coordinator, priority=rng.randint(1, 5)
                    )
                elif status == "declined":
                    referral_decline(
                        referral=referral,
                        actor=self.coordinator,
                        reason=rng.choice(
                            [
                                "Lives outside the service area; referred to Hillside Peers.",
                                "Needs a clinical level of care first; will re-refer after.",
                            ]
                        ),
                    )
                if status != "new":
                    Referral.objects.filter(pk=referral.pk).update(
                        screened_at=self.at(received - 1, 14)
                    )

    def concerns(self) -> None:
        p1 = self.p1_engagement
        first = concern_raise(
            organization=self.org,
            actor=p1.participant.user,
            category=Category.SERVICE,
            description=(
                "Our last two meetings were moved at short notice. I would like a regular "
                "time that we both keep."
            ),
            engagement=p1,
            raised_through=RaisedThrough.PORTAL,
        )
        second = concern_raise(
            organization=self.org,
            actor=self.supporter2,
            category=Category.SAFETY,
            urgency=ConcernUrgency.URGENT,
            description=(
                "A participant mentioned that a former partner has been coming to their "
                "building. They have a plan but I would like the coordinator to know."
            ),
            engagement=self.p2_engagement,
        )
        concern_update(concern=second, actor=self.coordinator, status=ConcernStatus.IN_REVIEW)
        third = concern_raise(
            organization=self.org,
            actor=self.supporter1,
            category=Category.BOUNDARIES,
            description="A participant asked to borrow money; I said no and want to talk it over.",
        )
        concern_update(
            concern=third,
            actor=self.coordinator,
            status=ConcernStatus.RESOLVED,
            resolution="Talked it through in supervision; boundary held and explained kindly.",
        )
        for concern, days in ((first, 4), (second, 2), (third, 30)):
            Concern.objects.filter(pk=concern.pk).update(created_at=self.at(days, 13))
        # Acknowledged (by concern_update) the same afternoon, the urgent one, or the next
        # morning; resolved days later. The action log keeps the same times.
        for concern, acknowledged, resolved in (
            (second, self.at(2, 14), None),
            (third, self.at(29, 9), self.at(26, 10)),
        ):
            Concern.objects.filter(pk=concern.pk).update(acknowledged_at=acknowledged)
            ConcernAction.objects.filter(concern=concern, kind="acknowledged").update(
                at=acknowledged
            )
            if resolved is not None:
                Concern.objects.filter(pk=concern.pk).update(resolved_at=resolved)
                ConcernAction.objects.filter(concern=concern).exclude(kind="acknowledged").update(
                    at=resolved
                )

    # the walk-through: supporter1's week, Pat's story, supervision ---------------------

    def walkthrough(self) -> None:
        """The records a demo walk-through leans on, placed on purpose.

        Pat (participant1) is the steady story: a harm-reduction goal moving from
        contemplation to action, check-ins that climb, a formal plan signed by both, two
        meetings cancelled at short notice (the concern Pat raised), a meeting ahead with a
        reminder. supporter1's panel shows a new match with late texts and a long meeting
        (boundary signals), a note not written yet and a call-back still open; supporter2
        has a call-back overdue; the supervisor has talked both through in supervision.
        """
        self.pat_story()
        self.new_match_story()
        self.loose_ends()
        self.supervision()

    def pat_story(self) -> None:
        e, s1 = self.p1_engagement, self.supporter1
        Participant.objects.filter(pk=e.participant_id).update(
            email="participant1@riverbend.example", phone="555-201-0142"
        )
        hours = self.agreed_hours(e)
        # Two meetings called off at short notice: what Pat's concern is about.
        for days_ago, hour, reason in PAT_CANCELLED:
            day, hour = _fit(hours, self.today, days_ago, hour, lo=days_ago - 1, hi=days_ago + 2)
            self.cancelled_meeting(e, s1, day, hour, hours, reason)
        drinking, housing = e.goals.order_by("created_at", "pk")
        # Last week's meeting ran a little past the hour: a full note, signed, with an
        # addendum, and the reminder Pat got the day before.
        day, hour = _fit(hours, self.today, 6, 13, lo=5, hi=7)
        meeting = self.past_meeting(e, s1, day, hour, 0, 60, Mode.IN_PERSON, actual=75)
        Meeting.objects.filter(pk=meeting.pk).update(
            reminder_minutes=1440,
            reminder_outcome=ReminderOutcome.SENT,
            reminder_sent_at=meeting.starts_at - datetime.timedelta(days=1),
        )
        note = self.structured_note(
            meeting,
            s1,
            "",
            "",
            day,
            content={**PAT_NOTE, "goals": [drinking.pk, housing.pk]},
            steps=PAT_STEPS,
        )
        addendum = addendum_create(note=note, actor=s1, body=PAT_ADDENDUM)
        Addendum.objects.filter(pk=addendum.pk).update(created_at=self.at(day - 1, 11, 15))
        asked, _hour = _fit(hours, self.today, 2, 10, lo=2, hi=4)
        self.contact(
            e, s1, self.at(asked, 10, 40), "text", "participant", PAT_CONTACT_ASK,
            returned_after=datetime.timedelta(minutes=100),
        )  # fmt: skip
        self.contact(e, s1, self.at(day, 15, 40), "text", "supporter", PAT_CONTACT_SENT)
        # Yesterday's phone check-in: its note is still a draft.
        day, hour = _fit(hours, self.today, 1, 15, lo=1, hi=3)
        meeting = self.past_meeting(e, s1, day, hour, 0, 30, Mode.PHONE)
        self.structured_note(meeting, s1, "", "", day, content={**PAT_DRAFT, "goals": [housing]})
        # Next week's meeting, moved once at Pat's request, with a reminder the day before.
        day, hour = _fit(hours, self.today, -2, 11, lo=-4, hi=-1)
        meeting = self.planned_meeting(e, s1, day, hour, reminder=1440)
        later, hour = _fit(hours, self.today, day - 1, 14, lo=-7, hi=-1)
        meeting_reschedule(
            meeting=meeting,
            actor=s1,
            expected_version=meeting.version,
            starts_at=self._free_start(s1, later, hour, 0, meeting.duration_minutes, hours),
            duration_minutes=meeting.duration_minutes,
            reminder_minutes=1440,
            allow_overlap=True,
        )
        # The formal written plan, signed by both (Pat in the portal) three weeks ago.
        self.plan(e, s1, [drinking, housing], 20, PlanStyle.FORMAL)

    def new_match_story(self) -> None:
        """supporter1 and a participant matched six weeks ago: late texts, a Saturday call
        and a meeting that ran far past its hour, prompts for supervision."""
        e, s1 = self.tagged["new_match"], self.supporter1
        hours = self.agreed_hours(e)
        day, hour = _fit(hours, self.today, 8, 13, lo=6, hi=10)
        meeting = self.past_meeting(e, s1, day, hour, 0, 60, Mode.IN_PERSON, actual=110)
        self.structured_note(meeting, s1, "", "", day, content=EVICTION_NOTE, steps=EVICTION_STEPS)
        # Outside the agreed weekdays, 10 to 4: the night before the meeting, and a Saturday.
        self.contact(e, s1, self.at(day + 1, 21, 40), "text", "participant", EVICTION_TEXT)
        self.contact(e, s1, self.at(day + 1, 22, 5), "text", "supporter", EVICTION_REPLY)
        saturday = (self.today.weekday() - 5) % 7
        saturday += 7 if saturday < 2 else 0
        self.contact(e, s1, self.at(saturday, 11, 15), "phone", "participant", SATURDAY_CALL)

    def loose_ends(self) -> None:
        """A note not written yet, a call-back still open, one overdue, an addendum."""
        s1, s2 = self.supporter1, self.supporter2
        e = self.tagged["late_note"]
        hours = self.agreed_hours(e)
        day, hour = _fit(hours, self.today, 4, 11, lo=3, hi=6)
        self.past_meeting(e, s1, day, hour, 0, 60, Mode.PHONE)  # its note is overdue
        e = self.tagged["returning"]
        worksheet = TeamPlanWorksheet.objects.get(engagement=e)
        now = timezone.now()
        asked = next(
            (
                now - datetime.timedelta(minutes=m)
                for m in range(90, 5 * 24 * 60, 30)
                if 9 <= timezone.localtime(now - datetime.timedelta(minutes=m)).hour < 17
                and not outside_agreed_hours(now - datetime.timedelta(minutes=m), worksheet)
            ),
            now - datetime.timedelta(minutes=90),
        )
        self.contact(e, s1, asked, "phone", "participant", CALLBACK_OPEN, callback=True)
        # Yesterday afternoon's meeting: its note is still a draft (any day suits them).
        meeting = self.past_meeting(e, s1, 1, 14, 0, 60, Mode.IN_PERSON)
        self.structured_note(meeting, s1, self.note_body(self.more), NEXT_STEPS[4], 1)
        e = self.tagged["callback"]
        hours = self.agreed_hours(e)
        day, hour = _fit(hours, self.today, 4, 10, lo=4, hi=6)
        self.contact(e, s2, self.at(day, hour, 20), "phone", "participant", CALLBACK_OVERDUE,
                     callback=True)  # fmt: skip
        note = (
            Note.objects.filter(meeting__engagement=e, status=NoteStatus.FINAL)
            .order_by("-meeting__starts_at")
            .first()
        )
        addendum = addendum_create(note=note, actor=s2, body=LATER_ADDENDUM)
        Addendum.objects.filter(pk=addendum.pk).update(
            created_at=note.finalized_at + datetime.timedelta(days=1)
        )

    def contact(
        self,
        engagement: Engagement,
        actor: User,
        occurred: datetime.datetime,
        channel: str,
        initiator: str,
        note: str,
        *,
        callback: bool = False,
        returned_after: datetime.timedelta | None = None,
    ) -> Contact:
        contact = contact_log(
            engagement=engagement,
            actor=actor,
            occurred_at=occurred,
            channel=channel,
            initiated_by=initiator,
            note=note,
            callback_requested=callback or returned_after is not None,
        )
        Contact.objects.filter(pk=contact.pk).update(
            created_at=occurred + datetime.timedelta(minutes=5)
        )
        if returned_after is not None:
            contact = contact_callback_return(
                contact=contact, actor=actor, returned_at=occurred + returned_after
            )
        return contact

    def supervision(self) -> None:
        """The supervisor's log with supporter1 and supporter2, with follow-ups."""
        tagged = self.tagged
        engagements = {
            "pat": self.p1_engagement,
            "jordan": self.p2_engagement,
            **tagged,
        }
        people = {"supporter1": self.supporter1, "supporter2": self.supporter2}
        for who, days, minutes, topics, discussed, notes, follow_up, due, done in SUPERVISION:
            session = session_record(
                supervisor=self.supervisor,
                supporter=people[who],
                organization=self.org,
                held_on=self.today - datetime.timedelta(days=days),
                duration_minutes=minutes,
                topics=topics,
                engagements=[engagements[name] for name in discussed],
                notes=notes,
                follow_up=follow_up,
                follow_up_due=self.today - datetime.timedelta(days=due),
            )
            stamp = self.at(days, 16)
            SupervisionSession.objects.filter(pk=session.pk).update(
                created_at=stamp, updated_at=stamp
            )
            if days < 7:
                follow_up_add(session=session, actor=self.supervisor, text=SECOND_FOLLOW_UP)
            session.follow_ups.update(created_at=stamp)
            if done:
                follow = session.follow_ups.order_by("pk").first()
                follow_up_mark(follow_up=follow, actor=self.supervisor, done=True)
                FollowUp.objects.filter(pk=follow.pk).update(done_at=self.at(due + 1, 10))


# --- the large scale: bulk layer ------------------------------------------------------

# The states an engagement passed through to reach its current one.
PATHS = {
    State.MATCHED: [State.MATCHED],
    State.ONBOARDING: [State.MATCHED, State.ONBOARDING],
    State.ACTIVE: [State.MATCHED, State.ONBOARDING, State.ACTIVE],
    State.EXITING: [State.MATCHED, State.ONBOARDING, State.ACTIVE, State.EXITING],
    State.CLOSED: [State.MATCHED, State.ONBOARDING, State.ACTIVE, State.EXITING, State.CLOSED],
}
FROM_MATCH = (State.MATCHED, State.ONBOARDING)  # moves the coordinator makes


def _change_reason(to_state: str, exit_reason: str | None) -> str:
    if to_state == State.MATCHED:
        return "Matched from referral"
    if to_state == State.ONBOARDING:
        return "Onboarding starts at the match"
    if to_state == State.ACTIVE:
        return "All required agreements signed"
    label = ExitReason(exit_reason).label
    return label if to_state == State.EXITING else f"Exit completed: {label}"


@dataclass
class _Plan:
    """One bulk engagement's timeline, decided before anything is written."""

    participant_index: int
    program: Program
    supporter_id: int
    state: str
    t_match: int  # days ago
    t_active: int | None = None
    t_exit: int | None = None
    t_close: int | None = None
    meetings: int = 0
    pk: int | None = None
    hours: str = ""  # the worksheet's agreed days and hours (a key of AGREED_HOURS)

    def days_ago(self, state: str) -> int | None:
        return {
            State.MATCHED: self.t_match,
            State.ONBOARDING: self.t_match,
            State.ACTIVE: self.t_active,
            State.EXITING: self.t_exit,
            State.CLOSED: self.t_close,
        }[state]


# The time of day each state change is recorded in the bulk layer.
_CHANGE_TIME = {
    State.MATCHED: (11, 0),
    State.ONBOARDING: (11, 5),
    State.ACTIVE: (15, 0),
    State.EXITING: (16, 0),
    State.CLOSED: (16, 30),
}


# Bulk notes of the last 120 days list next steps and goals touched as rows; older ones
# keep their next steps as text, as written before the note form had rows for them.
STRUCTURED_DAYS = 120
FOUR_DAYS = datetime.timedelta(days=4)  # a cancelled meeting was planned this long before


def _plan_text_of(
    *,
    person: str,
    supporter: str,
    style: str,
    discussed: datetime.date,
    review: datetime.date | None,
    goals: Sequence[Goal],
    agreed: str,
) -> str:
    """A bulk plan's text, laid out as ``alongside.plans.text.plan_text`` lays it out."""
    lines = [
        f"Plan 1 for {person}",
        f"Peer supporter: {supporter or '—'}",
        f"How we plan: {PlanStyle(style).label}",
        f"Discussed on: {formats.date_format(discussed, 'DATE_FORMAT')}",
    ]
    if review:
        lines.append(f"We look at it again on: {formats.date_format(review, 'DATE_FORMAT')}")
    for number, goal in enumerate(goals, start=1):
        lines += ["", f"Goal {number}: “{goal.statement}”"]
        facts = [
            ("Wellness dimension", WellnessDimension(goal.wellness_dimension).label),
            ("Why it matters", goal.why_it_matters),
            ("Strengths and resources", goal.strengths),
            ("How progress will be measured", goal.measure),
            ("Stage of change", goal.stage.capitalize()),
        ]
        lines += [f"{label}: {value}" for label, value in facts if value]
    lines += ["", "What we agreed:", agreed]
    return "\n".join(str(line) for line in lines)


MEETING_COLUMNS = (
    "id", "engagement_id", "starts_at", "duration_minutes", "planned_minutes", "mode",
    "place_type", "status", "cancel_reason", "service_units", "reminder_minutes",
    "created_by_id", "created_at",
)  # fmt: skip
NOTE_CONTENT = (
    "topics", "body", "techniques", "wellness_dimensions", "readiness_signals",
    "shared_own_story", "sharing_purpose", "summary",
)  # fmt: skip
NOTE_COLUMNS = (
    "id", "meeting_id", "author_id", "status", *NOTE_CONTENT, "next_steps", "finalized_at",
    "finalized_by_id", "created_at", "updated_at",
)  # fmt: skip


class _Rows:
    """Rows of one table written with ``executemany``: bulk_create's INSERT without a model
    instance and Django's per-value preparation for every row (the bulk layer writes a
    million meetings and notes; that preparation was most of its time).

    ``add`` takes the values of ``columns`` (attribute names, such as ``engagement_id``)
    in that order, already as the database stores them (``prepare`` converts one value,
    ``connection.ops.adapt_datetimefield_value`` a moment); every other column gets its
    field's default. Like bulk_create: no signals, no history rows.
    """

    def __init__(self, model, columns: Sequence[str]) -> None:
        self.fields = {f.attname: f for f in model._meta.local_concrete_fields}
        rest = [f for name, f in self.fields.items() if name not in columns]
        self.tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        names = [self.fields[c].column for c in columns] + [f.column for f in rest]
        qn = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(n) for n in names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        self.rows: list[tuple] = []

    def prepare(self, name: str, value):
        return self.fields[name].get_db_prep_save(value, connection)

    def add(self, *values) -> None:
        self.rows.append(values + self.tail)

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH):
                cursor.executemany(self.sql, self.rows[start : start + BATCH])
        self.rows.clear()


class _BulkLayer:
    """Thousands of people in one pass; every table written with bulk_create in batches."""

    def __init__(self, builder: _Builder, scale: Scale) -> None:
        self.b = builder
        self.rng = builder.rng
        self.scale = scale
        self.org = builder.org
        self.cps, self.respite = builder.cps, builder.respite
        # Issue 5's records draw from their own generator, so the rest draws as before.
        self.more = random.Random(builder.seed + 7951)
        self.goals_of: dict[int, list[tuple[int, int]]] = {}
        builder.agreed = {}

    def build(self) -> None:
        self.supporters()
        self.people()
        self.plan()
        self.referrals_and_engagements()
        self.lifecycle_records()
        self.meetings()
        self.contacts()
        self.supervision()
        self.fit_capacities()
        # Explicit ids were given to meetings and notes; let PostgreSQL's sequences catch up.
        statements = connection.ops.sequence_reset_sql(no_style(), [Meeting, Note])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    # people -------------------------------------------------------------------------

    def supporters(self) -> None:
        rng, n = self.rng, self.scale.supporters
        supervisors = User.objects.bulk_create(
            [
                User(
                    username=f"supervisor-{i:03d}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    password=make_password(None),
                )
                for i in range(1, n // 12 + 2)
            ]
        )
        Membership.objects.bulk_create(
            Membership(user=u, organization=self.org, role=Role.SUPERVISOR) for u in supervisors
        )
        users = User.objects.bulk_create(
            [
                User(
                    username=f"peer-{i:03d}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    password=make_password(None),
                )
                for i in range(len(self.b.extras) + 1, len(self.b.extras) + n + 1)
            ]
        )
        Membership.objects.bulk_create(
            Membership(user=u, organization=self.org, role=Role.SUPPORTER) for u in users
        )
        profiles = []
        for i, user in enumerate(users):
            languages = ["en"]
            if rng.random() < 0.3:
                languages.append("es")
            if rng.random() < 0.1:
                languages.append(rng.choice(OTHER_LANGUAGES))
            profiles.append(
                PeerSupporterProfile(
                    user=user,
                    organization=self.org,
                    languages=languages,
                    lived_experience=rng.sample(LIVED_EXPERIENCE, rng.randint(1, 3)),
                    gender=_weighted(
                        rng,
                        [(Gender.WOMAN, 5), (Gender.MAN, 4), (Gender.NONBINARY, 1)],
                    ),
                    capacity=30,
                    supervisor=supervisors[i // 12],
                    accepting=rng.random() < 0.9,
                )
            )
        profiles = PeerSupporterProfile.objects.bulk_create(profiles)
        self.supervised = [(p.supervisor_id, p.user_id) for p in profiles]
        through = PeerSupporterProfile.programs.through
        links = []
        self.pool: dict[int, list[int]] = {self.cps.pk: [], self.respite.pk: []}
        for profile in profiles:
            in_cps = rng.random() < 0.9
            in_respite = not in_cps or rng.random() < 0.3
            for program, member in ((self.cps, in_cps), (self.respite, in_respite)):
                if member:
                    links.append(through(peersupporterprofile=profile, program=program))
                    self.pool[program.pk].append(profile.user_id)
        through.objects.bulk_create(links)
        # The named supporters carry a typical caseload too, so benchmarks see one.
        self.pool[self.cps.pk] += [self.b.supporter1.pk, self.b.supporter2.pk]
        self.pool[self.respite.pk].append(self.b.supporter1.pk)

    def people(self) -> None:
        total = self.scale.participants + self.scale.open_referrals
        persons = [self.b.person() for _ in range(total)]
        self.persons = persons
        participants = [Participant(organization=self.org, **p.as_dict()) for p in persons]
        self.participants = Participant.objects.bulk_create(participants, batch_size=BATCH)

    # timelines ----------------------------------------------------------------------

    def plan(self) -> None:
        rng = self.rng
        plans: list[_Plan] = []
        for i in range(self.scale.participants):
            respite = rng.random() < 0.12
            program = self.respite if respite else self.cps
            if respite:
                state = _weighted(
                    rng,
                    [(State.CLOSED, 70), (State.ACTIVE, 18), (State.ONBOARDING, 5),
                     (State.MATCHED, 3), (State.EXITING, 4)],
                )  # fmt: skip
            else:
                state = _weighted(
                    rng,
                    [(State.ACTIVE, 64), (State.CLOSED, 18), (State.EXITING, 5),
                     (State.ONBOARDING, 8), (State.MATCHED, 5)],
                )  # fmt: skip
            p = _Plan(i, program, rng.choice(self.pool[program.pk]), state, t_match=0)
            if state == State.MATCHED:
                p.t_match = rng.randint(1, 6)
            elif state == State.ONBOARDING:
                p.t_match = rng.randint(1, 20)
                p.meetings = rng.randint(0, 2)
            elif respite:
                p.meetings = rng.randint(3, 7)
            else:
                p.meetings = rng.randint(10, 100)
            plans.append(p)

        # Scale community meetings so the held meetings add up to exactly the target.
        flexible = [p for p in plans if p.program == self.cps and p.meetings >= 10]
        fixed = sum(p.meetings for p in plans) - sum(p.meetings for p in flexible)
        room = max(self.scale.meetings - fixed, 0)
        raw = sum(p.meetings for p in flexible) or 1
        for p in flexible:
            p.meetings = max(1, p.meetings * room // raw)
        short = self.scale.meetings - sum(p.meetings for p in plans)
        for k in range(abs(short)):
            if not flexible:
                break
            p = flexible[k % len(flexible)]
            p.meetings += 1 if short > 0 else -1 if p.meetings > 1 else 0

        # Roughly weekly meetings (daily at the respite house) fix each timeline.
        for p in plans:
            if p.state in (State.MATCHED, State.ONBOARDING):
                continue
            respite = p.program == self.respite
            span = (
                p.meetings + rng.randint(0, 2)
                if respite
                else int(p.meetings * 7 * rng.uniform(0.9, 1.3))
            )
            onboarding = 1 if respite else rng.randint(5, 14)
            if p.state == State.ACTIVE:
                end = 0
            elif p.state == State.EXITING:
                p.t_exit = rng.randint(2, 30)
                end = p.t_exit
            else:
                p.t_close = rng.randint(5, 900)
                p.t_exit = p.t_close + (1 if respite else rng.randint(7, 30))
                end = p.t_exit
            p.t_active = end + span
            p.t_match = p.t_active + onboarding
        for p in plans:
            p.hours = self.more.choice(DEMO_HOURS)
        self.plans = plans

    def dt(self, days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
        return self.b.at(days_ago, hour, minute)

    def moment(self, p: _Plan, state: str) -> datetime.datetime:
        return self.dt(p.days_ago(state), *_CHANGE_TIME[state])

    def date(self, days_ago: int | None) -> datetime.date | None:
        return None if days_ago is None else self.b.today - datetime.timedelta(days=days_ago)

    def referrals_and_engagements(self) -> None:
        rng, coordinator = self.rng, self.b.coordinator
        referrals = []
        for p in self.plans:
            r = self._referral(p.participant_index, p.program)
            received = p.t_match + rng.randint(2, 14)
            r.status = Status.MATCHED
            r.received_at = self.dt(received, 9, rng.choice([0, 15, 30, 45]))
            r.screened_at = self.dt(received - 1, 14)
            r.screened_by = coordinator
            r.matched_at = self.moment(p, State.MATCHED)
            referrals.append(r)
        n = self.scale.participants
        for k in range(self.scale.open_referrals):
            program = self.respite if rng.random() < 0.2 else self.cps
            r = self._referral(n + k, program)
            r.status = _weighted(
                rng,
                [(Status.NEW, 35), (Status.ACCEPTED, 25), (Status.WAITLISTED, 25),
                 (Status.DECLINED, 15)],
            )  # fmt: skip
            received = rng.randint(1, 60)
            r.received_at = self.dt(received, 9, rng.choice([0, 15, 30, 45]))
            if r.status != Status.NEW:
                r.screened_at, r.screened_by = self.dt(received, 15), coordinator
            if r.status == Status.WAITLISTED:
                r.waitlist_priority = rng.randint(1, 5)
            if r.status == Status.DECLINED:
                r.decline_reason = "Outside the service area; referred to a partner program."
            referrals.append(r)
        with _keep_timestamps(_field(Referral, "received_at")):
            referrals = Referral.objects.bulk_create(referrals, batch_size=BATCH)

        engagements = []
        for p, referral in zip(self.plans, referrals, strict=False):
            engagement = Engagement(
                organization=self.org,
                program=p.program,
                participant_id=referral.participant_id,
                supporter_id=p.supporter_id,
                referral=referral,
                state=p.state,
                state_changed_at=self.moment(p, p.state),
                started_on=self.date(p.t_match),
                activated_on=self.date(p.t_active),
                closed_on=self.date(p.t_close),
            )
            engagement.guideline_ends_on = due_dates(engagement)[1]
            engagements.append(engagement)
        engagements = Engagement.objects.bulk_create(engagements, batch_size=BATCH)
        for p, engagement in zip(self.plans, engagements, strict=True):
            p.pk = engagement.pk

    def _referral(self, index: int, program: Program) -> Referral:
        rng, person = self.rng, self.persons[index]
        return Referral(
            organization=self.org,
            program=program,
            participant=self.participants[index],
            source=rng.choice(Source.values),
            needs=rng.choice(NEEDS),
            preferred_language=person.preferred_language,
            urgency=_weighted(rng, [(Urgency.ROUTINE, 6), (Urgency.SOON, 3), (Urgency.URGENT, 1)]),
            lived_experience_wanted=rng.sample(LIVED_EXPERIENCE, rng.randint(0, 2)),
            supporter_gender_preference=rng.choice(["", "", "", Gender.WOMAN, Gender.MAN]),
            received_by=self.b.coordinator,
        )

    def lifecycle_records(self) -> None:
        """State changes, agreements, exits, goals and assessments for every engagement."""
        rng, coordinator = self.rng, self.b.coordinator
        changes, agreements, exits, goals, assessments = [], [], [], [], []
        goal_meta: list[tuple[_Plan, int, list[str]]] = []
        names = {
            pk: f"{first} {last}".strip()
            for pk, first, last in Engagement.objects.filter(organization=self.org).values_list(
                "pk", "participant__first_name", "participant__last_name"
            )
        }
        supporter_names = {
            user.pk: user.get_full_name()
            for user in User.objects.filter(memberships__organization=self.org).distinct()
        }
        exit_reasons = [
            (ExitReason.GOALS_MET, 40),
            (ExitReason.PARTICIPANT_CHOICE, 20),
            (ExitReason.MOVED, 10),
            (ExitReason.HOSPITALIZED, 8),
            (ExitReason.LOST_CONTACT, 17),
            (ExitReason.OTHER, 5),
        ]
        for p in self.plans:
            pk, supporter = p.pk, p.supporter_id
            reason = _weighted(rng, exit_reasons) if p.t_exit is not None else None
            path = PATHS[p.state]
            for old, new in zip(["", *path], path, strict=False):
                changes.append(
                    StateChange(
                        engagement_id=pk,
                        from_state=old,
                        to_state=new,
                        actor_id=coordinator.pk if new in FROM_MATCH else supporter,
                        reason=_change_reason(new, reason),
                        at=self.moment(p, new),
                    )
                )
            if reason is not None:
                closed = p.t_close is not None
                exits.append(
                    Exit(
                        engagement_id=pk,
                        kind=kind_for_reason(reason),
                        reason=reason,
                        note=EXIT_NOTES[reason],
                        started_at=self.moment(p, State.EXITING),
                        started_by_id=supporter,
                        completed_at=self.moment(p, State.CLOSED) if closed else None,
                        completed_by_id=supporter if closed else None,
                    )
                )

            kinds = self.b.required[p.program.pk]
            if p.state == State.ONBOARDING:
                kinds = kinds[: rng.randint(0, len(kinds))]
            elif p.state == State.MATCHED:
                kinds = []
            signed_by = p.t_active if p.t_active is not None else 0
            for k, kind in enumerate(kinds):
                days = max(signed_by, p.t_match - k)
                version = kind.current
                agreements.extend(
                    SignedDocument(
                        engagement_id=pk,
                        version=version,
                        signer_name=(
                            supporter_names[supporter]
                            if role == SignerRole.SUPPORTER
                            else names[pk]
                        ),
                        role=role,
                        method=SignatureMethod.PAPER,
                        signed_at=self.dt(days, 12),
                        sha256=version.sha256,
                        recorded_by_id=supporter,
                        recorded_at=self.dt(days, 17),
                    )
                    for role in needed_roles(version.signers)
                )

            if p.t_active is None:
                continue
            end = p.t_exit or 0
            for statement, dimension, measure in rng.sample(GOALS, rng.randint(1, 3)):
                created = rng.randint(end, p.t_active)
                if p.state == State.CLOSED:
                    status = rng.choice([GoalStatus.ACHIEVED, GoalStatus.SET_ASIDE])
                else:
                    status = _weighted(
                        rng,
                        [
                            (GoalStatus.ACTIVE, 7),
                            (GoalStatus.ACHIEVED, 2),
                            (GoalStatus.SET_ASIDE, 1),
                        ],
                    )
                approach, why, strengths, _steps = GOAL_DETAILS[statement]
                path = _stage_path(self.more, min((created - end) // 90, 3), done=False)
                goals.append(
                    Goal(
                        engagement_id=pk,
                        statement=statement,
                        wellness_dimension=dimension,
                        measure=measure,
                        approach=approach,
                        why_it_matters=why,
                        strengths=strengths,
                        stage=path[-1],
                        status=status,
                        created_by_id=supporter,
                        created_at=self.dt(created, 12),
                        updated_at=self.dt(max(created - 30, end), 12),
                    )
                )
                goal_meta.append((p, created, path))
            if p.program == self.respite:
                continue  # a stay of a week ends before its first monthly review
            # Yearly and roughly on time, though some reviews are overdue.
            interval = 365
            due = p.t_active - interval + rng.randint(-20, 20)
            while due > end and rng.random() > 0.2:
                tier = _weighted(
                    rng,
                    [(Tier.MAKING_PROGRESS, 5), (Tier.MAINTAINING, 4), (Tier.EXITING, 1)],
                )
                if p.t_exit is not None and due - interval <= end:
                    tier = Tier.EXITING
                assessments.append(
                    Assessment(
                        engagement_id=pk,
                        tier=tier,
                        rationale=rng.choice(RATIONALES[Tier(tier)]),
                        ongoing_plan=rng.choice(ONGOING_PLANS),
                        assessed_on=self.date(due),
                        assessed_by_id=supporter,
                        created_at=self.dt(due, 17),
                    )
                )
                due -= interval

        StateChange.objects.bulk_create(changes, batch_size=BATCH)
        Exit.objects.bulk_create(exits, batch_size=BATCH)
        ConcludingStep.objects.bulk_create(
            (row for exit_ in exits if exit_.completed_at for row in _checklist_rows(exit_)),
            batch_size=BATCH,
        )
        with _keep_timestamps(_field(SignedDocument, "recorded_at")):
            SignedDocument.objects.bulk_create(agreements, batch_size=BATCH)
        with _keep_timestamps(_field(Goal, "created_at"), _field(Goal, "updated_at")):
            goals = Goal.objects.bulk_create(goals, batch_size=BATCH)
        with _keep_timestamps(_field(Assessment, "created_at")):
            Assessment.objects.bulk_create(assessments, batch_size=BATCH)
            _tiers_from_assessments(self.org)
        self.goal_progress(goals, goal_meta)

    # meetings and notes ----------------------------------------------------------------

    def meetings(self) -> None:
        """Held meetings with their notes; beside them no-shows and cancellations, and
        meetings planned for the coming two weeks.

        The main generator draws what it drew before issue 5 (times, lengths, modes, note
        bodies), so the rest of the data set stays as it was; the rest comes from ``more``.
        Meetings and notes (a million rows) go through ``_Rows``, not model instances.
        """
        rng, more, today = self.rng, self.more, self.b.today
        bodies = [self.b.note_body() for _ in range(2_000)]
        contents = [_note_content(body, more) for body in bodies]
        meeting_rows = _Rows(Meeting, MEETING_COLUMNS)
        note_rows = _Rows(Note, NOTE_COLUMNS)
        # Each pooled note content once as stored values, in NOTE_COLUMNS' order.
        stored = [
            tuple(note_rows.prepare(name, content[name]) for name in NOTE_CONTENT)
            for content in contents
        ]
        when = connection.ops.adapt_datetimefield_value
        next_id = (Meeting.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        next_note = (Note.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        steps, links, addenda = [], [], []
        through = Note.goals.through
        modes = [Mode.IN_PERSON] * 5 + [Mode.PHONE] * 3 + [Mode.VIDEO] * 2 + [Mode.TEXT]
        hours = (9, 10, 11, 12, 13, 14, 15, 16, 17)
        minutes = (0, 15, 30, 45)
        durations = (30, 45, 60, 60, 60, 90)
        two_hours = datetime.timedelta(hours=2)
        units: dict[tuple[int, int], int] = {}
        started = (State.ACTIVE, State.EXITING, State.CLOSED)
        held, missed, cancelled = MeetingStatus.HELD, MeetingStatus.MISSED, MeetingStatus.CANCELLED

        def flush() -> None:
            meeting_rows.flush()
            note_rows.flush()
            NextStep.objects.bulk_create(steps, batch_size=BATCH)
            through.objects.bulk_create(links, batch_size=BATCH)
            with _keep_timestamps(_field(Addendum, "created_at")):
                Addendum.objects.bulk_create(addenda, batch_size=BATCH)
            for batch in (steps, links, addenda):
                batch.clear()

        for p in self.plans:
            window = AGREED_HOURS[p.hours] if p.state in started else None
            if window is not None:
                self.b.agreed[p.pk] = p.hours
            unit = p.program.service_unit_minutes
            goals = self.goals_of.get(p.pk, ())
            sid = p.supporter_id
            if p.meetings:
                first = p.t_active if p.t_active is not None else p.t_match
                last = max(p.t_exit or 1, 1)
                first = max(first, last)
                for _ in range(p.meetings):
                    day, hour, minute = (
                        rng.randint(last, first),
                        rng.choice(hours),
                        rng.choice(minutes),
                    )
                    day, hour = _fit(window, today, day, hour, last, first)
                    starts = self.dt(day, hour, minute)
                    logged = starts + two_hours
                    planned, mode = rng.choice(durations), rng.choice(modes)
                    k = rng.randrange(len(bodies))
                    step = rng.choice(NEXT_STEPS) if rng.random() < 0.7 else ""
                    ran = planned
                    draw = more.random()
                    if draw < 0.004:
                        ran = planned * 2 + 15  # far past the plan
                    elif draw < 0.2:
                        ran = max(planned + more.choice((-15, 15, 15, 30)), 15)
                    if (ran, unit) not in units:
                        units[ran, unit] = service_units(ran, unit)
                    logged_at = when(logged)
                    meeting_rows.add(
                        next_id, p.pk, when(starts), ran, planned, mode, _place(mode, more),
                        held, "", units[ran, unit], None, sid, logged_at,
                    )  # fmt: skip
                    # Recent notes list next steps and goals touched as rows; older ones
                    # keep next steps as text, as written before the note form had rows.
                    structured = day <= STRUCTURED_DAYS
                    signed = _finalized(logged, sid)
                    note_rows.add(
                        next_note,
                        next_id,
                        sid,
                        signed.get("status", NoteStatus.DRAFT),
                        *stored[k],
                        "" if structured else step,
                        logged_at if signed else None,
                        sid if signed else None,
                        logged_at,
                        logged_at,
                    )
                    if structured and step:
                        due = today - datetime.timedelta(days=day - 7)
                        done = due < today and more.random() < 0.75
                        steps.append(
                            NextStep(
                                note_id=next_note,
                                text=step,
                                owner=STEP_OWNERS[step],
                                due_on=due,
                                done_at=(
                                    datetime.datetime.combine(
                                        due, datetime.time(17), tzinfo=self.b.tz
                                    )
                                    if done
                                    else None
                                ),
                            )
                        )
                    if structured and goals and more.random() < 0.6:
                        open_then = [pk for pk, created in goals if created >= day]
                        if open_then:
                            links.append(
                                through(note_id=next_note, goal_id=more.choice(open_then))
                            )
                    if signed and more.random() < 0.002:
                        addenda.append(
                            Addendum(
                                note_id=next_note,
                                author_id=sid,
                                body=LATER_ADDENDUM,
                                created_at=logged + datetime.timedelta(days=1),
                            )
                        )
                    next_id += 1
                    next_note += 1
                    # Now and then a no-show or a cancellation, beside the meetings held.
                    draw = more.random()
                    if draw < 0.08:
                        other, hour = _fit(
                            window, today, min(day + more.randint(1, 6), first), hour,
                            last, first,
                        )  # fmt: skip
                        other_at = self.dt(other, hour, minute)
                        no_show = draw < 0.05
                        meeting_rows.add(
                            next_id, p.pk, when(other_at), planned, planned, mode,
                            _place(mode, more), missed if no_show else cancelled,
                            "" if no_show else more.choice(CANCEL_REASONS), 0, None, sid,
                            when(other_at + (two_hours if no_show else -FOUR_DAYS)),
                        )  # fmt: skip
                        next_id += 1
            if p.state in (State.ACTIVE, State.ONBOARDING) and rng.random() < 0.6:
                day, hour = -rng.randint(1, 14), rng.choice(hours)
                day, hour = _fit(window, today, day, min(hour, 16), -14, -1)
                mode = rng.choice(modes)
                meeting_rows.add(
                    next_id, p.pk, when(self.dt(day, hour)), 60, 60, mode, _place(mode, more),
                    MeetingStatus.PLANNED, "", 0, more.choice((None, None, 60, 120, 1440)), sid,
                    when(self.dt(1, 12)),
                )  # fmt: skip
                next_id += 1
            if len(meeting_rows) >= BATCH:
                flush()
        flush()

    def goal_progress(self, goals: list[Goal], meta: list[tuple[_Plan, int, list[str]]]) -> None:
        """Stages of change over time, action steps, check-ins, and a plan per active
        engagement (a formal one signed by both now and then)."""
        more, today = self.more, self.b.today
        stages, steps, check_ins = [], [], []
        by_plan: dict[int, list[Goal]] = {}
        for goal, (p, created, path) in zip(goals, meta, strict=True):
            end = p.t_exit or 0
            age = max(created - end, 0)
            self.goals_of.setdefault(p.pk, []).append((goal.pk, created))
            by_plan.setdefault(p.pk, []).append(goal)
            stages.extend(
                GoalStage(
                    goal_id=goal.pk,
                    stage=stage,
                    recorded_at=self.dt(created - age * k // len(path), 12, 30),
                    recorded_by_id=p.supporter_id,
                    note=STAGE_NOTES[stage],
                )
                for k, stage in enumerate(path)
            )
            for j, (text, owner) in enumerate(GOAL_DETAILS[goal.statement][3]):
                due = created - 14 * (j + 1)
                done = due > end and more.random() < 0.7
                steps.append(
                    ActionStep(
                        goal_id=goal.pk,
                        text=text,
                        owner=owner,
                        due_on=today - datetime.timedelta(days=due),
                        done_at=self.dt(max(due, end, 1), 17) if done else None,
                        created_by_id=p.supporter_id,
                        created_at=self.dt(created, 12, 5),
                        updated_at=self.dt(max(due, end, 1) if done else created, 17),
                    )
                )
            if age > 20:
                days = range(created - 14, max(end, 1) - 1, -more.randint(28, 45))
                check_ins.extend(
                    CheckIn(
                        goal_id=goal.pk,
                        rating=rating,
                        checked_on=today - datetime.timedelta(days=day),
                        recorded_by_id=p.supporter_id,
                        created_at=self.dt(day, 17),
                    )
                    for day, rating in zip(days, _ratings(more, len(days)), strict=True)
                )
        with _keep_timestamps(
            _field(ActionStep, "created_at"),
            _field(ActionStep, "updated_at"),
            _field(CheckIn, "created_at"),
            _field(Plan, "created_at"),
            _field(Plan, "updated_at"),
        ):
            GoalStage.objects.bulk_create(stages, batch_size=BATCH)
            ActionStep.objects.bulk_create(steps, batch_size=BATCH)
            CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
            self.plans_of(by_plan)

    def plans_of(self, by_plan: dict[int, list[Goal]]) -> None:
        """One plan per active engagement with goals, in the style the two chose."""
        more = self.more
        names = {
            user.pk: user.get_full_name()
            for user in User.objects.filter(memberships__organization=self.org).distinct()
        }
        plans, chosen = [], []
        for p in self.plans:
            if p.state != State.ACTIVE or p.pk not in by_plan:
                continue
            goals = by_plan[p.pk]
            style = _weighted(
                more, [(PlanStyle.ONGOING, 5), (PlanStyle.INFORMAL_ONCE, 3), (PlanStyle.FORMAL, 2)]
            )
            days = max(min(p.t_active - 14, 200), 2)
            discussed = self.b.today - datetime.timedelta(days=days)
            review = discussed + datetime.timedelta(days=90)
            person = self.persons[p.participant_index]
            agreed = more.choice(PLAN_AGREED)
            plans.append(
                Plan(
                    engagement_id=p.pk,
                    number=1,
                    style=style,
                    agreed=agreed,
                    discussed_on=discussed,
                    review_on=review,
                    text=_plan_text_of(
                        person=f"{person.first_name} {person.last_name}",
                        supporter=names.get(p.supporter_id, ""),
                        style=style,
                        discussed=discussed,
                        review=review,
                        goals=goals,
                        agreed=agreed,
                    ),
                    created_by_id=p.supporter_id,
                    created_at=self.dt(days, 16),
                    updated_at=self.dt(days, 16),
                )
            )
            chosen.append((p, goals, days, f"{person.first_name} {person.last_name}"))
        plans = Plan.objects.bulk_create(plans, batch_size=BATCH)
        through = Plan.goals.through
        through.objects.bulk_create(
            (
                through(plan_id=plan.pk, goal_id=goal.pk)
                for plan, (_p, goals, _d, _n) in zip(plans, chosen, strict=True)
                for goal in goals
            ),
            batch_size=BATCH,
        )
        signatures = []
        for plan, (p, _goals, days, name) in zip(plans, chosen, strict=True):
            if plan.style != PlanStyle.FORMAL:
                continue
            made = self.dt(days, 16)
            for k, (role, signer, signer_name) in enumerate(
                (
                    (PlanSignerRole.SUPPORTER, p.supporter_id, names.get(p.supporter_id, "")),
                    (PlanSignerRole.PARTICIPANT, None, name),
                )
            ):
                signatures.append(
                    PlanSignature(
                        plan_id=plan.pk,
                        role=role,
                        signer_id=signer,
                        signer_name=signer_name,
                        method=PlanSignatureMethod.IN_PERSON,
                        signed_at=made + datetime.timedelta(minutes=10 + k),
                        sha256=plan_hash(plan.text),
                        recorded_by_id=p.supporter_id,
                    )
                )
        PlanSignature.objects.bulk_create(signatures, batch_size=BATCH)

    def contacts(self) -> None:
        """Calls and texts of the last two months at the agreed hours; call-backs returned
        within hours, a few still open."""
        more, today = self.more, self.b.today
        contacts = []
        for p in self.plans:
            # A respite stay meets every day at the house: no calls between meetings.
            if p.state not in (State.ACTIVE, State.EXITING) or p.program == self.respite:
                continue
            window = AGREED_HOURS[p.hours]
            lo, hi = max(p.t_exit or 1, 1), min(p.t_active, 60)
            if hi < lo:
                continue
            for _ in range(more.randint(0, 5)):
                channel, initiator, note, callback = more.choice(CONTACTS)
                day, hour = _fit(window, today, more.randint(lo, hi), more.randint(9, 16), lo, hi)
                occurred = self.dt(day, hour, more.choice((5, 20, 40, 55)))
                returned = None
                if callback and more.random() > 0.03:
                    returned = occurred + datetime.timedelta(
                        minutes=more.choice((25, 50, 90, 140, 240, 380))
                    )
                contacts.append(
                    Contact(
                        engagement_id=p.pk,
                        occurred_at=occurred,
                        channel=channel,
                        initiated_by=initiator,
                        note=note,
                        callback_requested_at=occurred if callback else None,
                        callback_returned_at=returned,
                        callback_returned_by_id=p.supporter_id if returned else None,
                        created_by_id=p.supporter_id,
                        created_at=occurred + datetime.timedelta(minutes=5),
                    )
                )
        with _keep_timestamps(_field(Contact, "created_at")):
            Contact.objects.bulk_create(contacts, batch_size=BATCH)

    def supervision(self) -> None:
        """About monthly supervision for every supporter over the last four months."""
        more, today = self.more, self.b.today
        sessions, follow = [], []
        for supervisor_id, supporter_id in self.supervised:
            for k in range(4):
                days = more.randint(2, 28) + 30 * k
                held = today - datetime.timedelta(days=days)
                sessions.append(
                    SupervisionSession(
                        organization=self.org,
                        supervisor_id=supervisor_id,
                        supporter_id=supporter_id,
                        held_on=held,
                        duration_minutes=more.choice((30, 45, 60, 60)),
                        topics=more.choice(SUPERVISION_TOPICS),
                        created_at=self.dt(days, 16),
                        updated_at=self.dt(days, 16),
                    )
                )
                if more.random() < 0.5:
                    due = held + datetime.timedelta(days=14)
                    done = due < today and more.random() < 0.8
                    follow.append((len(sessions) - 1, more.choice(FOLLOW_UPS), due, done, days))
        with _keep_timestamps(
            _field(SupervisionSession, "created_at"),
            _field(SupervisionSession, "updated_at"),
            _field(FollowUp, "created_at"),
        ):
            sessions = SupervisionSession.objects.bulk_create(sessions, batch_size=BATCH)
            FollowUp.objects.bulk_create(
                (
                    FollowUp(
                        session_id=sessions[i].pk,
                        text=text,
                        due_on=due,
                        done_at=self.dt(max((today - due).days, 1), 10) if done else None,
                        created_at=self.dt(days, 16),
                    )
                    for i, text, due, done, days in follow
                ),
                batch_size=BATCH,
            )

    def fit_capacities(self) -> None:
        """Capacities that leave most supporters a little room above their tier-weighted load."""
        profiles = list(PeerSupporterProfile.objects.filter(organization=self.org))
        tenths = {
            p.user_id: (int(p.tier1_load * 10), int(p.tier2_load * 10), int(p.tier3_load * 10))
            for p in profiles
        }
        loads = tier_weighted_loads(self.org.pk, tenths)
        for profile in profiles:
            load = math.ceil(loads[profile.user_id] / 10)
            profile.capacity = max(load + self.rng.randint(0, 6), 8)
        PeerSupporterProfile.objects.bulk_update(profiles, ["capacity"], batch_size=500)
