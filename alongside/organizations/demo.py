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
from django.utils import timezone

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
from alongside.agreements.models import (
    DocumentRequirement,
    SignatureMethod,
    SignedDocument,
    SignerRole,
)
from alongside.agreements.selectors import needed_roles
from alongside.agreements.services import document_record_paper, starting_templates_install
from alongside.assessments.models import Assessment, Tier
from alongside.assessments.services import assessment_record
from alongside.concerns.models import Category, Concern, ConcernStatus, ConcernUrgency
from alongside.concerns.services import concern_raise, concern_update
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
from alongside.exits.models import Exit, ExitReason
from alongside.exits.services import exit_complete, exit_start
from alongside.matching.services import match_confirm, tier_weighted_loads
from alongside.meetings.models import Meeting, MeetingStatus, Mode, Note, NoteStatus
from alongside.meetings.services import meeting_log
from alongside.organizations.models import Organization, Program
from alongside.participants.models import Participant
from alongside.plans.models import Goal, GoalStatus
from alongside.plans.services import goal_create, goal_update
from alongside.referrals.models import OPEN_STATUSES, Referral, Source, Status, Urgency
from alongside.referrals.services import (
    referral_accept,
    referral_create,
    referral_decline,
    referral_waitlist,
)
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
        _plans_and_worksheets(builder.org, random.Random(seed + 7933), builder.today)
    organization = builder.org
    return DemoResult(
        organization=organization,
        created=True,
        seconds=time.perf_counter() - started,
        counts=demo_counts(organization),
    )


PLACES = ("Eastside", "Riverside", "Old Mill", "Northgate", "Downtown", "Lakeview")


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
    organization: Organization, rng: random.Random, today: datetime.date
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
            sheets.append(
                TeamPlanWorksheet(
                    engagement_id=pk,
                    channels=rng.choice(DEMO_CHANNELS),
                    days_and_hours=rng.choice(DEMO_HOURS),
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
        self.rng = random.Random(seed)
        # Emergency plans and worksheets draw from their own generator, so the rest of the
        # story draws the same as before they existed.
        self.plan_rng = random.Random(seed + 7927)
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
        self.org = Organization.objects.create(name=ORGANIZATION_NAME, slug=ORGANIZATION_SLUG)
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
        )
        self.portal_account(self.p1_engagement.participant, "participant1")
        self.portal_account(self.p2_engagement.participant, "participant2")

        s1, s2 = self.supporter1, self.supporter2
        # (state, program, supporter, days since match, held meetings, planned, goals, tiers)
        plan: list[tuple] = [
            (State.ACTIVE, cps, s1, 200, 6, 1, 2, []),
            (State.ACTIVE, cps, s1, 520, 7, 1, 2, [Tier.MAINTAINING]),
            (State.ACTIVE, cps, s1, 45, 3, 1, 1, []),
            (State.ACTIVE, cps, s2, 300, 5, 0, 2, []),
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
        for state, program, supporter, days, held, planned, goals, tiers in plan:
            self.engagement(
                self.person(),
                program,
                state,
                supporter=supporter or self.pick_supporter(program),
                matched_days_ago=days,
                meetings=held,
                planned=planned,
                goals=goals,
                assessments=tiers,
            )
        # A returning participant: a respite stay last year, now in community support.
        person = self.person()
        earlier = self.engagement(
            person, respite, State.CLOSED, supporter=s1, matched_days_ago=330, meetings=3
        )
        self.engagement(
            person,
            cps,
            State.ACTIVE,
            supporter=s1,
            matched_days_ago=250,
            meetings=5,
            planned=1,
            goals=2,
            participant=earlier.participant,
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
            self.team_plan(engagement, supporter, t_active)
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

        # Meetings, spread between activation (or the match) and the exit (or today).
        first = t_active if state != State.ONBOARDING else matched_days_ago
        last = t_exit_days or t_close_days or 1
        days = sorted({rng.randint(last, max(first, last)) for _ in range(meetings)}, reverse=True)
        for n, day in enumerate(days):
            hour = rng.choice([9, 10, 11, 13, 14, 15, 16])
            has_note = n % 5 != 4 or state == State.CLOSED
            meeting = meeting_log(
                engagement=engagement,
                actor=supporter,
                starts_at=self.at(max(day, 1), hour, rng.choice([0, 30])),
                duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                mode=_weighted(rng, [(Mode.IN_PERSON, 5), (Mode.PHONE, 3), (Mode.VIDEO, 2)]),
                note_body=self.note_body() if has_note else "",
                next_steps=rng.choice(NEXT_STEPS) if has_note else "",
            )
            self._stamp_meeting(meeting)
        for _ in range(planned):
            meeting_log(
                engagement=engagement,
                actor=supporter,
                starts_at=self.at(-rng.randint(1, 10), rng.choice([10, 14, 16])),
                duration_minutes=60,
                mode=Mode.IN_PERSON,
                status=MeetingStatus.PLANNED,
            )

        for i, (statement, dimension, measure) in enumerate(rng.sample(GOALS, goals)):
            goal = goal_create(
                engagement=engagement,
                actor=supporter,
                statement=statement,
                wellness_dimension=dimension,
                measure=measure,
            )
            if state == State.CLOSED or (i == 1 and state == State.EXITING):
                goal = goal_update(
                    goal=goal,
                    actor=supporter,
                    expected_version=goal.version,
                    status=rng.choice([GoalStatus.ACHIEVED, GoalStatus.SET_ASIDE]),
                )
            stamp = self.at(max(first - 3 - 7 * i, last), 12)
            Goal.objects.filter(pk=goal.pk).update(created_at=stamp, updated_at=stamp)

        # Assessments: the last one recent enough for what the story needs.
        interval = 25 if respite else 330
        end = t_exit_days or t_close_days or 0
        for i, tier in enumerate(assessments):
            days_ago = max(end + 2, first - interval * (i + 1) + rng.randint(0, 20))
            if respite:
                days_ago = max(end + 1, first - 5)
            assessment_record(
                engagement=engagement,
                actor=supporter,
                tier=tier,
                rationale=rng.choice(RATIONALES[Tier(tier)]),
                ongoing_plan=rng.choice(ONGOING_PLANS),
                assessed_on=self.today - datetime.timedelta(days=min(days_ago, first)),
            )

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
                exit_complete(engagement=engagement, actor=supporter)
                timeline[State.CLOSED] = self.at(t_close_days, 16, 30)
                Exit.objects.filter(pk=exit_.pk).update(completed_at=timeline[State.CLOSED])
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

    def team_plan(self, engagement: Engagement, supporter: User, t_active: int) -> None:
        """The worksheet agreed at activation, and reviewed yearly, though not always on time."""
        rng = self.plan_rng
        worksheet = worksheet_save(
            engagement=engagement,
            actor=supporter,
            expected_version=0,
            channels=rng.choice(DEMO_CHANNELS),
            days_and_hours=rng.choice(DEMO_HOURS),
            frequency=rng.choice(DEMO_FREQUENCIES),
            language=engagement.participant.preferred_language,
            messages_ok=rng.random() < 0.7,
            boundaries=rng.choice(DEMO_BOUNDARIES),
        )
        reviewed = self.today - datetime.timedelta(days=t_active)
        while (self.today - reviewed).days > 365 and rng.random() < 0.6:
            reviewed = review_due(reviewed)
        TeamPlanWorksheet.objects.filter(pk=worksheet.pk).update(
            reviewed_on=reviewed, review_due_on=review_due(reviewed)
        )
        worksheet.history.update(history_date=self.at(t_active, 15, 30))

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

    def note_body(self) -> str:
        rng = self.rng
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
        Concern.objects.filter(pk=third.pk).update(resolved_at=self.at(26, 10))


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


class _BulkLayer:
    """Thousands of people in one pass; every table written with bulk_create in batches."""

    def __init__(self, builder: _Builder, scale: Scale) -> None:
        self.b = builder
        self.rng = builder.rng
        self.scale = scale
        self.org = builder.org
        self.cps, self.respite = builder.cps, builder.respite

    def build(self) -> None:
        self.supporters()
        self.people()
        self.plan()
        self.referrals_and_engagements()
        self.lifecycle_records()
        self.meetings()
        self.fit_capacities()
        # Explicit ids were given to meetings; let PostgreSQL's sequence catch up.
        statements = connection.ops.sequence_reset_sql(no_style(), [Meeting])
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
                goals.append(
                    Goal(
                        engagement_id=pk,
                        statement=statement,
                        wellness_dimension=dimension,
                        measure=measure,
                        status=status,
                        created_by_id=supporter,
                        created_at=self.dt(created, 12),
                        updated_at=self.dt(max(created - 30, end), 12),
                    )
                )
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
        with _keep_timestamps(_field(SignedDocument, "recorded_at")):
            SignedDocument.objects.bulk_create(agreements, batch_size=BATCH)
        with _keep_timestamps(_field(Goal, "created_at"), _field(Goal, "updated_at")):
            Goal.objects.bulk_create(goals, batch_size=BATCH)
        with _keep_timestamps(_field(Assessment, "created_at")):
            Assessment.objects.bulk_create(assessments, batch_size=BATCH)
            _tiers_from_assessments(self.org)

    # meetings and notes ----------------------------------------------------------------

    def meetings(self) -> None:
        rng = self.rng
        bodies = [self.b.note_body() for _ in range(2_000)]
        next_id = (Meeting.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        meetings: list[Meeting] = []
        notes: list[Note] = []
        modes = [Mode.IN_PERSON] * 5 + [Mode.PHONE] * 3 + [Mode.VIDEO] * 2 + [Mode.TEXT]
        hours = (9, 10, 11, 12, 13, 14, 15, 16, 17)
        minutes = (0, 15, 30, 45)
        durations = (30, 45, 60, 60, 60, 90)
        two_hours = datetime.timedelta(hours=2)
        timestamps = (
            _field(Meeting, "created_at"),
            _field(Note, "created_at"),
            _field(Note, "updated_at"),
        )
        with _keep_timestamps(*timestamps):
            for p in self.plans:
                if p.meetings:
                    first = p.t_active if p.t_active is not None else p.t_match
                    last = max(p.t_exit or 1, 1)
                    first = max(first, last)
                    for _ in range(p.meetings):
                        starts = self.dt(
                            rng.randint(last, first), rng.choice(hours), rng.choice(minutes)
                        )
                        logged = starts + two_hours
                        meetings.append(
                            Meeting(
                                id=next_id,
                                engagement_id=p.pk,
                                starts_at=starts,
                                duration_minutes=rng.choice(durations),
                                mode=rng.choice(modes),
                                status=MeetingStatus.HELD,
                                created_by_id=p.supporter_id,
                                created_at=logged,
                            )
                        )
                        notes.append(
                            Note(
                                meeting_id=next_id,
                                author_id=p.supporter_id,
                                body=rng.choice(bodies),
                                next_steps=rng.choice(NEXT_STEPS) if rng.random() < 0.7 else "",
                                created_at=logged,
                                updated_at=logged,
                                **_finalized(logged, p.supporter_id),
                            )
                        )
                        next_id += 1
                if p.state in (State.ACTIVE, State.ONBOARDING) and rng.random() < 0.6:
                    starts = self.dt(-rng.randint(1, 14), rng.choice(hours))
                    meetings.append(
                        Meeting(
                            id=next_id,
                            engagement_id=p.pk,
                            starts_at=starts,
                            duration_minutes=60,
                            mode=rng.choice(modes),
                            status=MeetingStatus.PLANNED,
                            created_by_id=p.supporter_id,
                            created_at=self.dt(1, 12),
                        )
                    )
                    next_id += 1
                if len(meetings) >= BATCH:
                    self._flush(meetings, notes)
            self._flush(meetings, notes)

    @staticmethod
    def _flush(meetings: list[Meeting], notes: list[Note]) -> None:
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        Note.objects.bulk_create(notes, batch_size=BATCH)
        meetings.clear()
        notes.clear()

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
