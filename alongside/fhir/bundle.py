"""A participant's record as a FHIR R4 Bundle, built from fhir.resources models.

Library: ``fhir.resources`` (8.x, maintained, pydantic-based; every model validates its
fields as it is built). Its top-level package is FHIR R5; we use its ``R4B`` package,
whose Patient, EpisodeOfCare, Encounter, Practitioner(Role), Organization,
ServiceRequest, CarePlan, Goal, Consent, Questionnaire(Response) and Bundle are the same
on the wire as R4 (4.0.1): R4B changed other resources. No maintained Python library
models R4 itself with validation (fhirclient's R4 classes do not validate), so a
recipient expecting R4 reads these bundles as R4.

The bundle is a ``collection``: a set of resources with no composition to sign (a
``document`` would need one). Every entry's ``fullUrl`` is a ``urn:uuid`` derived from
the record's kind and id (the same record answers the same uuid in every export), and
every ``Reference.reference`` points at one of them. Meeting notes are never exported:
an Encounter holds a meeting's facts only. docs/fhir.md has the mappings.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Iterable

from django.utils import timezone
from fhir.resources.R4B.address import Address
from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.consent import (
    Consent,
    ConsentPolicy,
    ConsentProvision,
    ConsentProvisionActor,
)
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.encounter import Encounter, EncounterParticipant
from fhir.resources.R4B.episodeofcare import EpisodeOfCare, EpisodeOfCareStatusHistory
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.goal import Goal, GoalTarget
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient, PatientCommunication
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.servicerequest import ServiceRequest

from alongside.accounts.models import LANGUAGE_CHOICES, Role
from alongside.consents.models import Category, Purpose, RecipientKind
from alongside.engagements.models import State
from alongside.fhir import codes
from alongside.fhir.selectors import Record
from alongside.meetings.models import MeetingStatus, Mode, PlaceType
from alongside.plans.models import Approach, GoalStatus, PlanStyle, Stage, StepOwner
from alongside.plans.models import WellnessDimension as Dimension
from alongside.referrals.models import Source
from alongside.surveys.definitions import localized

_LANGUAGES = dict(LANGUAGE_CHOICES)
_ROLES = dict(Role.choices)


def _code(system_key: str, code: str, display) -> Coding:
    return Coding(system=codes.SYSTEM[system_key], code=code, display=str(display))


def _concept(coding: Coding, text: str | None = None) -> CodeableConcept:
    return CodeableConcept(coding=[coding], text=text or coding.display)


def _text(text: str) -> CodeableConcept:
    return CodeableConcept(text=text)


def _name(first: str, last: str, use: str = "official") -> HumanName:
    return HumanName(
        use=use,
        family=last or None,
        given=[first] if first else None,
        text=f"{first} {last}".strip() or None,
    )


def _telecom(phone: str, email: str) -> list[ContactPoint] | None:
    """Only what is recorded: no empty contact points."""
    points = []
    if phone:
        points.append(ContactPoint(system="phone", value=phone))
    if email:
        points.append(ContactPoint(system="email", value=email))
    return points or None


class BundleBuilder:
    """Adds resources for one record; ``bundle()`` answers the validated Bundle."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.slug = record.organization.slug
        self.entries: list[BundleEntry] = []
        self.questionnaires: dict[int, str] = {}  # instrument version pk → canonical
        self._urls: dict = {}
        self._refs: dict = {}
        self._shared_parts: dict = {}

    # References ---------------------------------------------------------------------

    def url(self, kind: str, pk) -> str:
        key = (kind, pk)
        if key not in self._urls:
            self._urls[key] = f"urn:uuid:{codes.stable_uuid(self.slug, kind, pk)}"
        return self._urls[key]

    def ref(self, kind: str, pk, display: str | None = None) -> Reference:
        """A reference to an entry; the same (immutable) object for the same target."""
        key = (kind, pk, display)
        if key not in self._refs:
            self._refs[key] = Reference(reference=self.url(kind, pk), type=kind, display=display)
        return self._refs[key]

    def identifier(self, kind: str, pk) -> list[Identifier]:
        return [Identifier(system=codes.identifier_system(self.slug, kind.lower()), value=str(pk))]

    def add(self, kind: str, pk, resource) -> None:
        url = self.url(kind, pk)
        # The id is a uuid we made (always valid): set without validating the resource again.
        resource = resource.model_copy(update={"id": url.removeprefix("urn:uuid:")})
        self.entries.append(BundleEntry(fullUrl=url, resource=resource))

    @property
    def patient(self) -> Reference:
        participant = self.record.participant
        return self.ref("Patient", participant.pk, participant.display_name)

    @property
    def organization(self) -> Reference:
        organization = self.record.organization
        return self.ref("Organization", organization.pk, organization.name)

    def practitioner(self, user) -> Reference | None:
        if user is None:
            return None
        return self.ref("Practitioner", user.pk, str(user))

    # Resources ----------------------------------------------------------------------

    def build(self) -> BundleBuilder:
        self.add_organization()
        self.add_patient()
        self.add_staff()
        for referral in self.record.referrals:
            self.add_service_request(referral)
        for engagement in self.record.engagements:
            self.add_engagement(engagement)
        for consent in self.record.consents:
            self.add_consent(consent)
        return self

    def add_organization(self) -> None:
        org = self.record.organization
        self.add(
            "Organization",
            org.pk,
            Organization(
                identifier=self.identifier("Organization", org.slug),
                active=True,
                name=org.name,
                telecom=_telecom(org.phone, org.email),
                address=[Address(text=org.address)] if org.address else None,
            ),
        )

    def add_patient(self) -> None:
        p = self.record.participant
        names = [_name(p.first_name, p.last_name)]
        if p.preferred_name:
            names.append(_name(p.preferred_name, p.last_name, use="usual"))
        language = p.preferred_language
        self.add(
            "Patient",
            p.pk,
            Patient(
                identifier=self.identifier("Participant", p.pk),
                name=names,
                telecom=_telecom(p.phone, p.email),
                birthDate=p.date_of_birth,
                communication=[
                    PatientCommunication(
                        language=CodeableConcept(
                            coding=[
                                Coding(
                                    system=codes.BCP47,
                                    code=codes.LANGUAGE_TAG.get(language, language),
                                    display=str(_LANGUAGES.get(language, language)),
                                )
                            ],
                            text=str(_LANGUAGES.get(language, language)),
                        ),
                        preferred=True,
                    )
                ],
                managingOrganization=self.organization,
            ),
        )

    def add_staff(self) -> None:
        for user_id, user in sorted(self.record.staff.items()):
            self.add(
                "Practitioner",
                user_id,
                Practitioner(
                    identifier=self.identifier("User", user_id),
                    name=[_name(user.first_name, user.last_name)],
                ),
            )
            roles = self.record.roles.get(user_id, [])
            self.add(
                "PractitionerRole",
                user_id,
                PractitionerRole(
                    active=bool(roles),
                    practitioner=self.practitioner(user),
                    organization=self.organization,
                    code=[_concept(_code("role", role, _ROLES[role])) for role in sorted(roles)]
                    or None,
                ),
            )

    def add_service_request(self, referral) -> None:
        if referral.source == Source.SELF:
            requester = self.patient
        else:
            who = ", ".join(
                part for part in (referral.referrer_name, referral.referrer_organization) if part
            )
            # Display only: the referrer is not a resource of this bundle.
            requester = Reference(display=who or referral.source_detail or None)
            if requester.display is None:
                requester = None
        self.add(
            "ServiceRequest",
            referral.pk,
            ServiceRequest(
                identifier=self.identifier("Referral", referral.pk),
                status=codes.SERVICE_REQUEST_STATUS[referral.status],
                intent="order",
                category=[
                    _concept(
                        _code("referral-source", referral.source, Source(referral.source).label)
                    )
                ],
                priority=codes.SERVICE_REQUEST_PRIORITY[referral.urgency],
                code=_concept(
                    _code("program", str(referral.program_id), referral.program.name),
                    text=f"Peer support: {referral.program.name}",
                ),
                subject=self.patient,
                authoredOn=referral.received_at,
                requester=requester,
                performer=[self.organization],
                note=[Annotation(text=referral.needs)] if referral.needs else None,
            ),
        )

    def add_engagement(self, engagement) -> None:
        assignments = sorted(engagement.assignments.all(), key=lambda a: (a.started_on, a.pk))
        self.add(
            "EpisodeOfCare",
            engagement.pk,
            EpisodeOfCare(
                identifier=self.identifier("Engagement", engagement.pk),
                status=codes.EPISODE_STATUS[engagement.state],
                statusHistory=self._status_history(engagement) or None,
                type=[
                    _concept(_code("program", str(engagement.program_id), engagement.program.name))
                ],
                patient=self.patient,
                managingOrganization=self.organization,
                period=Period(start=engagement.started_on, end=engagement.closed_on),
                referralRequest=(
                    [self.ref("ServiceRequest", engagement.referral_id)]
                    if engagement.referral_id
                    else None
                ),
                careManager=self.practitioner(engagement.supporter),
            ),
        )
        for meeting in engagement.meetings.all():
            supporter = _supporter_on(meeting.starts_at, assignments, engagement.supporter)
            self.add_encounter(engagement, meeting, supporter)
        goals = list(engagement.goals.all())
        for goal in goals:
            self.add_goal(goal)
        self.add_care_plans(engagement, goals)
        for response in engagement.survey_responses.all():
            self.add_questionnaire_response(engagement, response)

    def _status_history(self, engagement) -> list[EpisodeOfCareStatusHistory]:
        changes = list(engagement.state_changes.all())
        spans: list[tuple[str, datetime.datetime, datetime.datetime | None]] = []
        for index, change in enumerate(changes):
            status = codes.EPISODE_STATUS[change.to_state]
            end = changes[index + 1].at if index + 1 < len(changes) else None
            if spans and spans[-1][0] == status:
                spans[-1] = (status, spans[-1][1], end)
            else:
                spans.append((status, change.at, end))
        return [
            EpisodeOfCareStatusHistory(status=status, period=Period(start=start, end=end))
            for status, start, end in spans
        ]

    def _shared(self, key, make):
        """One model object for a value many resources repeat (hundreds of meetings)."""
        if key not in self._shared_parts:
            self._shared_parts[key] = make()
        return self._shared_parts[key]

    def add_encounter(self, engagement, meeting, supporter) -> None:
        """A meeting's facts: status, class and mode, when, who; never its note."""
        if meeting.mode == Mode.IN_PERSON and meeting.place_type == PlaceType.HOME:
            klass, klass_display = codes.HOME_CLASS
        else:
            klass, klass_display = codes.ENCOUNTER_CLASS[meeting.mode]
        ends = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
        status = meeting.status
        self.add(
            "Encounter",
            meeting.pk,
            Encounter(
                # Only where Encounter.status cannot say it: "cancelled" for a no-show.
                extension=self._shared(
                    ("status-extension", status),
                    lambda: [
                        Extension(
                            url=codes.EXTENSION["meeting-status"],
                            valueCoding=_code(
                                "meeting-status", status, MeetingStatus(status).label
                            ),
                        )
                    ],
                )
                if status == MeetingStatus.MISSED
                else None,
                identifier=self.identifier("Meeting", meeting.pk),
                status=codes.ENCOUNTER_STATUS[status],
                class_fhir=self._shared(
                    ("class", klass),
                    lambda: Coding(system=codes.V3_ACT_CODE, code=klass, display=klass_display),
                ),
                type=self._shared(
                    ("mode", meeting.mode),
                    lambda: [
                        _concept(_code("meeting-mode", meeting.mode, Mode(meeting.mode).label))
                    ],
                ),
                subject=self.patient,
                episodeOfCare=self._shared(
                    ("episode", engagement.pk), lambda: [self.ref("EpisodeOfCare", engagement.pk)]
                ),
                participant=self._shared(
                    ("participant", getattr(supporter, "pk", None)),
                    lambda: (
                        [EncounterParticipant(individual=self.practitioner(supporter))]
                        if supporter is not None
                        else None
                    ),
                ),
                period=Period(start=meeting.starts_at, end=ends),
                length=self._shared(
                    ("length", meeting.duration_minutes),
                    lambda: Duration(
                        value=meeting.duration_minutes,
                        unit="min",
                        system="http://unitsofmeasure.org",
                        code="min",
                    ),
                )
                if status == MeetingStatus.HELD
                else None,
                # No serviceProvider: the episode's managingOrganization says it once.
            ),
        )

    def add_goal(self, goal) -> None:
        lifecycle, achievement = codes.GOAL_STATUS[goal.status]
        due = [s.due_on for s in goal.steps.all() if s.due_on]
        target = None
        if goal.measure or due:
            target = [
                GoalTarget(
                    measure=_text(goal.measure) if goal.measure else None,
                    dueDate=max(due) if due else None,
                )
            ]
        extensions = []
        if goal.stage:
            extensions.append(
                Extension(
                    url=codes.EXTENSION["stage-of-change"],
                    valueCoding=_code("stage-of-change", goal.stage, Stage(goal.stage).label),
                )
            )
        if goal.approach and goal.approach != Approach.NOT_APPLICABLE:
            extensions.append(
                Extension(
                    url=codes.EXTENSION["approach"],
                    valueCoding=_code("approach", goal.approach, Approach(goal.approach).label),
                )
            )
        self.add(
            "Goal",
            goal.pk,
            Goal(
                extension=extensions or None,
                identifier=self.identifier("Goal", goal.pk),
                lifecycleStatus=lifecycle,
                achievementStatus=(
                    _concept(
                        Coding(
                            system=codes.GOAL_ACHIEVEMENT,
                            code=achievement,
                            display=str(GoalStatus(goal.status).label),
                        )
                    )
                    if achievement
                    else None
                ),
                category=[
                    _concept(
                        _code(
                            "wellness-dimension",
                            goal.wellness_dimension,
                            Dimension(goal.wellness_dimension).label,
                        )
                    )
                ],
                # In the participant's own words, as they said it.
                description=_text(goal.statement),
                subject=self.patient,
                expressedBy=self.patient,
                startDate=timezone.localdate(goal.created_at),
                statusDate=timezone.localdate(goal.updated_at),
                target=target,
                note=[Annotation(text=goal.why_it_matters)] if goal.why_it_matters else None,
            ),
        )

    def add_care_plans(self, engagement, goals) -> None:
        plans = list(engagement.plans.all())
        steps_by_goal = {g.pk: list(g.steps.all()) for g in goals}
        for index, plan in enumerate(plans):
            current = index == len(plans) - 1
            if not current:
                status = "revoked"  # replaced by the next plan (its ``replaces``)
            elif engagement.state == State.CLOSED:
                status = "completed"
            elif plan.style == PlanStyle.FORMAL and len(plan.signatures.all()) < 2:
                status = "draft"  # a formal plan is in force once both have signed
            else:
                status = "active"
            goal_ids = [g.pk for g in plan.goals.all()]
            activities = []
            if current:
                for goal_id in goal_ids:
                    activities += [
                        self._activity(engagement, goal_id, step)
                        for step in steps_by_goal.get(goal_id, [])
                    ]
            self.add(
                "CarePlan",
                plan.pk,
                CarePlan(
                    identifier=self.identifier("Plan", plan.pk),
                    status=status,
                    intent="plan",
                    category=[
                        _concept(_code("plan-style", plan.style, PlanStyle(plan.style).label))
                    ],
                    title=f"{PlanStyle(plan.style).label} #{plan.number}",
                    description=plan.text or None,
                    subject=self.patient,
                    period=Period(start=plan.discussed_on, end=plan.review_on),
                    created=plan.created_at,
                    replaces=[self.ref("CarePlan", plans[index - 1].pk)] if index else None,
                    goal=[self.ref("Goal", pk) for pk in goal_ids] or None,
                    activity=activities or None,
                    note=[Annotation(text=plan.agreed)] if plan.agreed else None,
                ),
            )

    def _activity(self, engagement, goal_id, step) -> CarePlanActivity:
        performers = []
        if step.owner in (StepOwner.PARTICIPANT, StepOwner.BOTH):
            performers.append(self.patient)
        if step.owner in (StepOwner.SUPPORTER, StepOwner.BOTH) and engagement.supporter:
            performers.append(self.practitioner(engagement.supporter))
        return CarePlanActivity(
            detail=CarePlanActivityDetail(
                kind="Task",
                description=step.text,
                goal=[self.ref("Goal", goal_id)],
                status="completed" if step.done_at else "not-started",
                scheduledPeriod=Period(end=step.due_on) if step.due_on else None,
                performer=performers or None,
            )
        )

    def add_questionnaire(self, version) -> str:
        """The Questionnaire of an instrument version, once; answers its canonical."""
        if version.pk in self.questionnaires:
            return self.questionnaires[version.pk]
        definition = version.definition
        slug = version.instrument.slug
        url = f"{codes.QUESTIONNAIRE_URL}{slug}"
        items = []
        for item in definition["items"]:
            question = QuestionnaireItem(
                linkId=str(item["number"]),
                text=localized(item.get("text")),
                type="choice" if item["kind"] == "choice" else "text",
                required=bool(item.get("required", False)),
            )
            if item["kind"] == "choice":
                scale = definition["scales"][item["scale"]]
                question.answerOption = [
                    QuestionnaireItemAnswerOption(
                        valueCoding=Coding(
                            system=f"{url}/scale/{item['scale']}",
                            code=str(option["value"]),
                            display=localized(option.get("label")),
                        )
                    )
                    for option in scale["options"]
                ]
            elif item.get("max_length"):
                question.maxLength = item["max_length"]
            items.append(question)
        self.add(
            "Questionnaire",
            version.pk,
            Questionnaire(
                url=url,
                identifier=self.identifier("InstrumentVersion", version.pk),
                version=str(version.number),
                title=localized(definition.get("title")) or version.instrument.title,
                status="retired" if version.retired else "active",
                subjectType=["Patient"],
                description=localized(definition.get("description")) or None,
                copyright=definition.get("licence") or None,
                item=items,
            ),
        )
        canonical = f"{url}|{version.number}"
        self.questionnaires[version.pk] = canonical
        return canonical

    def add_questionnaire_response(self, engagement, response) -> None:
        version = response.instrument_version
        canonical = self.add_questionnaire(version)
        definition = version.definition
        items = []
        for item in definition["items"]:
            value = response.answers.get(str(item["number"]))
            if value is None or value == "":
                continue
            if item["kind"] == "choice":
                scale = definition["scales"][item["scale"]]
                option = next((o for o in scale["options"] if o["value"] == value), None)
                answer = QuestionnaireResponseItemAnswer(
                    valueCoding=Coding(
                        system=f"{codes.QUESTIONNAIRE_URL}{version.instrument.slug}"
                        f"/scale/{item['scale']}",
                        code=str(value),
                        display=localized(option.get("label"), response.language)
                        if option
                        else None,
                    )
                )
            else:
                answer = QuestionnaireResponseItemAnswer(valueString=str(value))
            items.append(
                QuestionnaireResponseItem(
                    linkId=str(item["number"]),
                    text=localized(item.get("text"), response.language),
                    answer=[answer],
                )
            )
        extensions = []
        if response.score is not None:
            extensions.append(
                Extension(url=codes.EXTENSION["survey-score"], valueDecimal=response.score)
            )
        if response.band:
            extensions.append(
                Extension(url=codes.EXTENSION["survey-band"], valueCode=response.band)
            )
        author = (
            self.patient
            if response.filled_by_id == self.record.participant.user_id
            else self.practitioner(response.filled_by)
        )
        self.add(
            "QuestionnaireResponse",
            response.pk,
            QuestionnaireResponse(
                extension=extensions or None,
                identifier=self.identifier("Response", response.pk)[0],
                questionnaire=canonical,
                status="completed",
                subject=self.patient,
                authored=response.completed_at,
                author=author,
                source=self.patient,
                language=response.language or None,
                item=items or None,
            ),
        )

    def add_consent(self, consent) -> None:
        status = consent.status()
        end = consent.revoked_at or consent.expires_on
        if consent.recipient_kind == RecipientKind.NAMED:
            recipient = Reference(display=consent.recipient_name)
        else:
            recipient = Reference(display=str(RecipientKind(consent.recipient_kind).label))
        purposes = []
        for code in consent.purposes:
            if code in codes.PURPOSE_OF_USE:
                v3, display = codes.PURPOSE_OF_USE[code]
                purposes.append(Coding(system=codes.V3_ACT_REASON, code=v3, display=display))
            elif code in Purpose.values:
                purposes.append(_code("consent-purpose", code, Purpose(code).label))
        classes = sorted(
            {kind for c in consent.categories for kind in codes.CATEGORY_RESOURCES.get(c, ())}
        )
        self.add(
            "Consent",
            consent.pk,
            Consent(
                identifier=self.identifier("Consent", consent.pk),
                status=codes.CONSENT_STATUS[status],
                scope=_concept(
                    Coding(
                        system=codes.CONSENT_SCOPE,
                        code="patient-privacy",
                        display="Privacy Consent",
                    )
                ),
                category=[
                    _concept(Coding(system=codes.LOINC, code="59284-0", display="Patient Consent"))
                ],
                patient=self.patient,
                dateTime=consent.signed_on,
                performer=[
                    self.patient
                    if not consent.signed_by_guardian
                    else Reference(
                        display=f"{consent.guardian_name} ({consent.guardian_relationship})"
                    )
                ],
                organization=[self.organization],
                policy=[ConsentPolicy(uri=codes.PART2_POLICY)],
                provision=ConsentProvision(
                    type="permit",
                    period=Period(start=consent.signed_on, end=end),
                    actor=[
                        ConsentProvisionActor(
                            role=_concept(
                                Coding(
                                    system=codes.V3_PARTICIPATION,
                                    code="IRCP",
                                    display="information recipient",
                                )
                            ),
                            reference=recipient,
                        ),
                        ConsentProvisionActor(
                            role=_concept(
                                Coding(
                                    system=codes.V3_PARTICIPATION, code="CST", display="custodian"
                                )
                            ),
                            reference=self.organization,
                        ),
                    ],
                    action=[
                        _concept(
                            Coding(
                                system=codes.CONSENT_ACTION, code="disclose", display="Disclose"
                            )
                        )
                    ],
                    purpose=purposes or None,
                    class_fhir=[Coding(system=codes.RESOURCE_TYPES, code=c) for c in classes]
                    or None,
                    code=[
                        _concept(
                            _code(
                                "consent-category",
                                c,
                                consent.other_description
                                if c == Category.OTHER and consent.other_description
                                else Category(c).label,
                            )
                        )
                        for c in consent.categories
                        if c in Category.values
                    ]
                    or None,
                ),
            ),
        )

    # The bundle ---------------------------------------------------------------------

    def bundle(self, meta: Meta | None = None) -> Bundle:
        return Bundle(
            identifier=Identifier(system="urn:ietf:rfc:3986", value=f"urn:uuid:{uuid.uuid4()}"),
            type="collection",
            timestamp=timezone.now(),
            meta=meta,
            entry=self.entries or None,
        )

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.resource.get_resource_type() for e in self.entries))

    def categories(self) -> list[str]:
        """The consent categories (kinds of information) this bundle holds."""
        present = set(self.counts())
        return [
            category
            for category, kinds in codes.CATEGORY_RESOURCES.items()
            if present.intersection(kinds)
        ]


def _supporter_on(moment: datetime.datetime, assignments: Iterable, fallback):
    """The supporter assigned on the day of ``moment`` (rematches keep the history)."""
    day = timezone.localdate(moment)
    for assignment in assignments:
        if assignment.started_on <= day and (
            assignment.ended_on is None or day <= assignment.ended_on
        ):
            return assignment.supporter
    return fallback


def disclosure_meta(disclosure, organization_slug: str) -> Meta:
    """What a disclosed bundle carries: restricted, no re-disclosure, the notice and scope."""
    return Meta(
        security=[
            Coding(system=codes.V3_CONFIDENTIALITY, code="R", display="restricted"),
            Coding(
                system=codes.V3_ACT_CODE,
                code="NORDSCLCD",
                display="no redisclosure without consent directive",
            ),
        ],
        extension=[
            Extension(url=codes.EXTENSION["redisclosure-notice"], valueString=disclosure.notice),
            Extension(url=codes.EXTENSION["consent-scope"], valueString=disclosure.scope),
            Extension(
                url=codes.EXTENSION["disclosure"],
                valueIdentifier=Identifier(
                    system=codes.identifier_system(organization_slug, "disclosure"),
                    value=str(disclosure.pk),
                ),
            ),
        ],
    )
