"""Shapes of what the API takes and answers; the OpenAPI document is generated from them."""

from __future__ import annotations

import datetime
import re
import types
import typing
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

import annotated_types
from django.utils import timezone
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from alongside.accounts.models import LANGUAGE_CHOICES, Gender, LivedExperience, TimeOfWeek
from alongside.agreements.models import SignerRole
from alongside.engagements.models import State
from alongside.referrals.models import ContactChannel, Source, Urgency

T = TypeVar("T")

MAX_LIMIT = 200
# Far beyond any real list, and small enough that OFFSET never overflows the database.
MAX_OFFSET = 2**31 - 1
# The days a list's since/until may name: clear of the calendar's ends, so a day's
# midnight in any time zone stays a valid moment.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
# The same range in the OpenAPI document (JSON Schema has no minimum for a date).
DAY_PATTERN = r"^(19\d\d|2\d\d\d)-\d\d-\d\d$"
MOMENT_PATTERN = r"^(19\d\d|2\d\d\d)-\d\d-\d\d"
# The largest integer the database holds (ids are 64-bit): a larger one is refused (422),
# never sent to the database, where it would overflow.
MAX_INTEGER = 2**63 - 1
# Text as the document states it: no NUL anywhere, and when required, one character that
# is not a space (text is stripped before its length is checked).
NO_NUL = r"^[^\u0000]*$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail at save.
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    return value


def text(max_length: int, *, min_length: int = 0) -> type[str]:
    """A stripped string of bounded length, without NUL characters."""
    documented = {"type": "string", "maxLength": max_length}
    if min_length:
        documented["minLength"] = min_length
    documented["pattern"] = NOT_BLANK if min_length else NO_NUL
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
        WithJsonSchema(documented),
    ]


Language = Literal[tuple(code for code, _label in LANGUAGE_CHOICES)]  # type: ignore[valid-type]


ScopeName = Literal["read", "write", "export"]  # alongside.api.models.Scope


class Token(Schema):
    token: str = Field(description="Send as Authorization: Bearer <token>; shown only once.")
    scopes: list[ScopeName] = Field(default_factory=list, description="What the token may do.")
    name: str = ""
    expires_at: datetime.datetime | None = Field(None, description="Null: never.")


class Detail(Schema):
    detail: str


class Invalid(Schema):
    detail: str
    errors: list[dict] | dict[str, list[str]] = Field(
        default_factory=list, description="Each problem, with where it is."
    )


class RuleRefusal(Schema):
    detail: str
    missing: list[str] = []


# The error answers every resource endpoint may give, for the OpenAPI document.
ERRORS = {401: Detail, 403: Detail, 404: Detail, 422: Invalid}


ISO_DATE = re.compile(DAY_PATTERN)
ISO_MOMENT = re.compile(MOMENT_PATTERN + r"([T ].*)?$")


def _exact_int(value: Any) -> Any:
    # pydantic would take "12" and true for 12 and 1; JSON's 12.0 is an integer, so it stays.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _exact_bool(value: Any) -> Any:
    # pydantic would take 0, 1, "yes", "off" …; a JSON body says true or false.
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean (true or false)")
    return value


def _iso_date(value: Any) -> Any:
    # pydantic would read 0 or "0" as a Unix time (1970-01-01); only YYYY-MM-DD is a day,
    # and only from 1900 (before it, local times had offsets in seconds no format shows).
    if isinstance(value, str) and ISO_DATE.match(value):
        return value
    if isinstance(value, datetime.date) and FIRST_DAY <= value <= LAST_DAY:
        return value  # from Python code, not from the wire
    raise PydanticCustomError(
        "date_type", "Input should be a date as YYYY-MM-DD, in the years 1900 to 2999"
    )


def _iso_moment(value: Any) -> Any:
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return value
    if isinstance(value, datetime.datetime) and FIRST_DAY <= value.date() <= LAST_DAY:
        return value  # from Python code, not from the wire
    raise PydanticCustomError(
        "datetime_type",
        "Input should be a date and time in ISO 8601 (YYYY-MM-DDTHH:MM…), "
        "in the years 1900 to 2999",
    )


def _in_utc(value: Any) -> Any:
    # Python allows offsets up to ±23:59, PostgreSQL only ±15:59: the same moment in UTC.
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)
    return value


def _allowing_none(check):
    def validate(value: Any) -> Any:
        return value if value is None else check(value)

    validate.exact_type_check = True
    return validate


def _bare(annotation: Any) -> Any:
    return (
        typing.get_args(annotation)[0]
        if typing.get_origin(annotation) is Annotated
        else annotation
    )


def _kind_of(annotation: Any, kinds: dict[type, Any]) -> tuple[type | None, bool]:
    """Which of ``kinds`` a field's annotation (``X`` or ``X | None``) is, and whether that
    type carries constraints of its own (``Annotated[int, Field(le=…)]``)."""
    options = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else (annotation,)
    )
    found = [o for o in options if _bare(o) in kinds]
    if len(found) != 1:
        return None, False
    return _bare(found[0]), typing.get_origin(found[0]) is Annotated


def _bounded(field, bounds: tuple[type, ...]) -> bool:
    return any(isinstance(m, bounds) for m in field.metadata)


class _ExactTypes:
    """Fields of these types take only their own type of value: pydantic's lax mode would
    turn a wrong type into some value (``0`` into 1970-01-01, ``"yes"`` into true) and the
    request would look valid. Added to every field of a subclass once, where it is defined."""

    EXACT: ClassVar[dict[type, Any]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        changed = False
        for field in cls.model_fields.values():
            kind, constrained = _kind_of(field.annotation, cls.EXACT)
            already = any(
                getattr(getattr(m, "func", None), "exact_type_check", False)
                for m in field.metadata
            )
            if kind is None or already:
                continue
            if kind is int and not constrained:
                # Within the database's integers, and the document says so.
                if not _bounded(field, (annotated_types.Ge, annotated_types.Gt)):
                    field.metadata.append(annotated_types.Ge(-MAX_INTEGER))
                if not _bounded(field, (annotated_types.Le, annotated_types.Lt)):
                    field.metadata.append(annotated_types.Le(MAX_INTEGER))
            if kind in (datetime.date, datetime.datetime):
                pattern = DAY_PATTERN if kind is datetime.date else MOMENT_PATTERN
                extra = (
                    field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
                )
                field.json_schema_extra = {"pattern": pattern, **extra}
            field.metadata.append(BeforeValidator(_allowing_none(cls.EXACT[kind])))
            if kind is datetime.datetime:
                field.metadata.append(AfterValidator(_in_utc))
            changed = True
        if changed:
            cls.model_rebuild(force=True)


class InputSchema(_ExactTypes, Schema):
    """Every body the API takes. An unknown field answers 422 naming it, never ignored:
    a misspelt field would otherwise be dropped in silence and the write look done. A value
    of the wrong JSON type answers 422 too (``"12"`` for a number, ``1`` for true or false,
    a number for a date), never coerced."""

    model_config = ConfigDict(extra="forbid")

    EXACT: ClassVar[dict[type, Any]] = {
        int: _exact_int,
        bool: _exact_bool,
        datetime.date: _iso_date,
        datetime.datetime: _iso_moment,
    }


# Refused as the sign-in page's fields refuse it; PostgreSQL text cannot hold NUL.
SignInText = Annotated[
    str, AfterValidator(_no_nul), WithJsonSchema({"type": "string", "pattern": NO_NUL})
]


class Credentials(InputSchema):
    username: SignInText
    password: SignInText
    otp: text(20) | None = Field(
        None,
        description="For accounts with two-step sign-in (all staff): the six-digit code "
        "from the authenticator app, or a recovery code.",
    )
    scopes: list[ScopeName] = Field(
        default_factory=lambda: ["read", "write"],
        min_length=1,
        description="read: GET; write: POST, PATCH, PUT, DELETE; "
        "export: FHIR records (paths ending in /fhir) and /reports/.",
    )
    name: text(100) = Field("", description="What the token is for, as its owner sees it.")
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="Omitted or null: the token never expires."
    )


class QueryParams(_ExactTypes, Schema):
    """Every list's query parameters (all text on the wire, so numbers come as text): a day
    must be YYYY-MM-DD, a number within the database's integers. Unknown parameters are
    refused for every operation in one place (errors.py)."""

    EXACT: ClassVar[dict[type, Any]] = {
        int: lambda value: value,
        datetime.date: _iso_date,
        datetime.datetime: _iso_moment,
    }


class PageParams(QueryParams):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class DatedParams(PageParams):
    """A page that also takes a range of local days (both ends included)."""

    since: datetime.date | None = Field(
        None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Only from this local day on (YYYY-MM-DD, included).",
    )
    until: datetime.date | None = Field(
        None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Only up to this local day (YYYY-MM-DD, included).",
    )

    @model_validator(mode="after")
    def _in_order(self) -> DatedParams:
        if self.since and self.until and self.until < self.since:
            raise ValueError("until must not be before since.")
        return self


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class ParticipantOut(Schema):
    id: int
    first_name: str
    last_name: str
    preferred_name: str
    pronouns: str
    preferred_language: str


class ReferralOut(Schema):
    id: int
    program: int
    participant: int
    status: str
    source: str
    source_detail: str
    urgency: str
    preferred_language: str
    needs: str
    supporter_gender_preference: str
    lived_experience_wanted: list[str]
    contact_channel: str
    contact_notes: str
    language_required: bool
    gender_required: bool
    meeting_place: str
    remote_ok: bool
    preferred_times: list[str]
    channel: str = Field(description="How it arrived: staff, public (the referral page) or api.")
    referrer_name: str
    referrer_organization: str
    referrer_email: str
    referrer_phone: str
    duplicate_of_referral: int | None = Field(
        description="An open referral of the same person when this one arrived (flag only)."
    )
    duplicate_of_engagement: int | None = Field(
        description="An open engagement of the same person when this one arrived (flag only)."
    )
    received_at: datetime.datetime
    screened_at: datetime.datetime | None
    screened_by: int | None = Field(description="Who screened it last.")
    waitlist_priority: int | None = Field(
        description="1 (highest) to 5 while waitlisted; null if never waitlisted."
    )
    decline_reason: str = Field(description="Why it was declined; empty otherwise.")
    matched_at: datetime.datetime | None

    @staticmethod
    def resolve_program(obj) -> int:
        return obj.program_id

    @staticmethod
    def resolve_screened_by(obj) -> int | None:
        return obj.screened_by_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.participant_id

    @staticmethod
    def resolve_duplicate_of_referral(obj) -> int | None:
        return obj.duplicate_of_referral_id

    @staticmethod
    def resolve_duplicate_of_engagement(obj) -> int | None:
        return obj.duplicate_of_engagement_id


class EngagementOut(Schema):
    id: int
    program: int
    participant: int
    supporter: int | None
    state: str
    started_on: datetime.date
    activated_on: datetime.date | None
    closed_on: datetime.date | None
    guideline_ends_on: datetime.date | None = Field(
        description="Where the duration guideline was extended to; null: the program's own."
    )
    tier: int | None = Field(description="The latest assessment's tier; null before one.")
    version: int = Field(
        description="Also the ETag: send it back (If-Match) to detect concurrent edits."
    )

    @staticmethod
    def resolve_program(obj) -> int:
        return obj.program_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.participant_id

    @staticmethod
    def resolve_supporter(obj) -> int | None:
        return obj.supporter_id


class ParticipantIn(InputSchema):
    """The person a new referral is for; a participant record is created from it."""

    first_name: text(100, min_length=1)
    last_name: text(100) = ""
    preferred_name: text(100) = ""
    pronouns: text(40) = ""
    date_of_birth: datetime.date | None = None
    preferred_language: Language = "en"
    phone: text(40) = ""
    email: text(254) = ""


class ReferralIn(InputSchema):
    participant: ParticipantIn
    program: int = Field(description="A program the caller coordinates.")
    source: Source
    source_detail: text(200) = ""
    needs: text(4000, min_length=1)
    preferred_language: Language | None = Field(
        None, description="Defaults to the participant's preferred language."
    )
    language_required: bool = Field(False, description="Only a supporter who speaks it.")
    supporter_gender_preference: Gender | Literal[""] = ""
    gender_required: bool = Field(False, description="The gender preference is a must.")
    lived_experience_wanted: list[text(40, min_length=1)] = Field(
        default_factory=list,
        max_length=20,
        description=(
            "Codes of lived-experience areas: the built-in ones "
            f"({', '.join(LivedExperience.values)}) or the organization's own."
        ),
    )
    meeting_place: text(200) = Field("", description="A town or neighborhood.")
    remote_ok: bool = Field(True, description="Phone or video is fine.")
    preferred_times: list[TimeOfWeek] = Field(
        default_factory=list,
        max_length=len(TimeOfWeek.values),
        description=(
            "Good times to meet, any of: weekday_morning (Monday to Friday before 12:00), "
            "weekday_afternoon (12:00 to 17:00), weekday_evening (after 17:00), weekend "
            "(Saturday or Sunday). Empty: any time."
        ),
    )
    urgency: Urgency = Urgency.ROUTINE
    contact_channel: ContactChannel | Literal[""] = ""
    contact_notes: text(400) = ""
    referrer_name: text(200) = ""
    referrer_organization: text(200) = ""
    referrer_email: text(254) = Field(
        "", description="If the referral is declined, the referrer is told by email."
    )
    referrer_phone: text(40) = ""

    @model_validator(mode="after")
    def _defaults(self) -> ReferralIn:
        if self.preferred_language is None:
            self.preferred_language = self.participant.preferred_language
        self.lived_experience_wanted = list(dict.fromkeys(self.lived_experience_wanted))
        self.preferred_times = list(dict.fromkeys(self.preferred_times))
        if self.gender_required and not self.supporter_gender_preference:
            raise ValueError("gender_required needs a supporter_gender_preference.")
        return self

    def referral_fields(self) -> dict:
        """The keyword arguments of referral_create besides the person and the program."""
        return self.model_dump(mode="json", exclude={"participant", "program"})


class TransitionIn(InputSchema):
    to: State
    reason: text(2000, min_length=1) = Field(description="Why; kept in the engagement's history.")
    version: int | None = Field(
        None, description="The version you read; a stale one is refused with 409."
    )


class AgreementParams(DatedParams):
    """``since`` / ``until`` bound the day it was signed."""

    engagement: int | None = Field(None, description="Only the documents of this engagement.")
    participant: int | None = Field(None, description="Only the documents of this person.")


class AgreementOut(Schema):
    """A signed document: who signed which version of which template, when and how."""

    id: int
    engagement: int
    template: int
    title: str = Field(description="The title of the version signed.")
    version: int = Field(description="The number of the version signed.")
    signer_name: str = Field(description="The name as signed.")
    role: str = Field(description="Signed as: participant, supporter, guardian or witness.")
    signer_relationship: str = Field(
        description="A guardian's relationship or authority; empty for other roles."
    )
    method: str = Field(description="portal, in_person or paper.")
    signed_at: datetime.datetime
    sha256: str = Field(description="SHA-256 of the exact text signed.")

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_template(obj) -> int:
        return obj.version.template_id

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.version.title

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number


class AgreementIn(InputSchema):
    """A document signed on paper, printed from the template's current version."""

    engagement: int = Field(description="An engagement in your scope.")
    template: int = Field(description="A document template of your organization.")
    signed_on: datetime.date = Field(description="The date on the paper; not in the future.")
    signer_name: text(200, min_length=1) = Field(description="The name as signed.")
    role: SignerRole = Field(
        SignerRole.PARTICIPANT,
        description="One of the roles the version names; a guardian may sign for the participant.",
    )
    signer_relationship: text(200) = Field(
        "", description="Required when a guardian signed: their relationship or authority."
    )

    @field_validator("signed_on")
    @classmethod
    def _not_in_the_future(cls, value: datetime.date) -> datetime.date:
        if value > timezone.localdate():
            raise ValueError("The signing date cannot be in the future.")
        return value
