"""Notes of held meetings: drafting, finalizing (signing), addenda, and what reads them.

Rules (docs/notes.md says why):
- only a held meeting has a note, one per meeting; a note is written in a writable
  (not closed) engagement, saved as a draft and edited again with a version check;
- a draft is changed and finalized by its author; when the author is gone (no longer
  active, or no longer able to write notes on this engagement) by a coordinator of the
  engagement's program instead;
- a finalized note is never changed; it takes addenda (append-only), even once the
  engagement is closed;
- the participant sees only the summary of a finalized note, where one was written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.core.permissions import (
    Cap,
    engagements_visible_to,
    has_capability,
    programs_coordinated_by,
    scoped,
)
from alongside.core.services import check_version, save_changes
from alongside.engagements.models import State
from alongside.engagements.services import ensure_writable
from alongside.meetings.models import (
    Addendum,
    Meeting,
    MeetingStatus,
    NextStep,
    Note,
    NoteStatus,
    ReadinessSignal,
    StepOwner,
    Technique,
)
from alongside.plans.models import Goal, WellnessDimension

# A held meeting whose note is not finalized this long after it started is overdue.
NOTE_DUE_HOURS = 48
NOTE_DUE_AFTER = datetime.timedelta(hours=NOTE_DUE_HOURS)

# The fields a note form writes, in the order the form shows them.
NOTE_FIELDS = (
    "topics",
    "body",
    "techniques",
    "wellness_dimensions",
    "readiness_signals",
    "shared_own_story",
    "sharing_purpose",
    "summary",
)
_CHOICE_FIELDS = {
    "techniques": (Technique, gettext_lazy("Choose techniques from the list.")),
    "wellness_dimensions": (
        WellnessDimension,
        gettext_lazy("Choose wellness dimensions from the list."),
    ),
    "readiness_signals": (
        ReadinessSignal,
        gettext_lazy("Choose readiness signals from the list."),
    ),
}


# --- who may sign -------------------------------------------------------------------


def author_is_gone(note: Note) -> bool:
    """The author can no longer reach this note to sign it (left, or off this engagement)."""
    author = note.author
    engagement = note.meeting.engagement
    organization = engagement.organization
    if not author.is_active or not has_capability(author, organization, Cap.MEETINGS_WRITE):
        return True
    return not engagements_visible_to(author, organization).filter(pk=engagement.pk).exists()


def may_sign(note: Note, actor) -> bool:
    """The author changes and finalizes a draft; a program coordinator once the author is gone."""
    if note.author_id == actor.pk:
        return True
    engagement = note.meeting.engagement
    coordinates = (
        programs_coordinated_by(actor, engagement.organization)
        .filter(pk=engagement.program_id)
        .exists()
    )
    return coordinates and author_is_gone(note)


def _ensure_may_sign(note: Note, actor) -> None:
    if not may_sign(note, actor):
        raise RuleViolation(
            _(
                "Only %(author)s, who wrote this note, can change or finalize it "
                "(a coordinator can once the author is no longer on this engagement)."
            )
            % {"author": note.author.get_full_name() or note.author.get_username()}
        )


def _ensure_draft(note: Note) -> None:
    if note.is_final:
        raise RuleViolation(
            _("This note is finalized and can no longer be changed. Add an addendum instead.")
        )


# --- cleaning -----------------------------------------------------------------------


def _choices(name: str, values) -> list[str]:
    """Known values of one choice list, once each, in the list's own order."""
    enum, message = _CHOICE_FIELDS[name]
    values = [str(v) for v in (values or [])]
    if any(v not in enum.values for v in values):
        raise ValidationError({name: message})
    return [v for v in enum.values if v in values]


def _goal_ids(engagement, goals) -> list[int]:
    ids = {getattr(goal, "pk", goal) for goal in goals or []}
    try:
        ids = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        raise ValidationError({"goals": _("Choose goals of this engagement.")}) from None
    if ids and engagement.goals.filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"goals": _("Choose goals of this engagement.")})
    return sorted(ids)


def _steps(rows: Iterable[dict] | None) -> list[dict]:
    """Next-step rows with text; an empty row is skipped, a half-filled one refused."""
    cleaned = []
    for row in rows or []:
        text = str(row.get("text") or "").strip()
        owner = row.get("owner") or ""
        due_on = row.get("due_on")
        if not text:
            if due_on:
                raise ValidationError({"steps": _("Write the next step, or clear its date.")})
            continue
        if len(text) > 500:
            raise ValidationError({"steps": _("Keep each next step under 500 characters.")})
        if owner not in StepOwner.values:
            raise ValidationError({"steps": _("Say who takes each next step.")})
        if due_on is not None and not isinstance(due_on, datetime.date):
            raise ValidationError({"steps": _("Give each date as a date.")})
        cleaned.append(
            {"id": row.get("id") or None, "text": text, "owner": owner, "due_on": due_on}
        )
    return cleaned


def _content(engagement, changes: dict) -> tuple[dict, list[int], list[dict] | None]:
    """Validated field values, goal ids and step rows (None: steps not given)."""
    data = {
        "topics": str(changes.get("topics") or "").strip(),
        "body": str(changes.get("body") or "").strip(),
        "shared_own_story": bool(changes.get("shared_own_story")),
        "sharing_purpose": str(changes.get("sharing_purpose") or "").strip(),
        "summary": str(changes.get("summary") or "").strip(),
    }
    for name in _CHOICE_FIELDS:
        data[name] = _choices(name, changes.get(name))
    if not data["body"]:
        raise ValidationError({"body": _("Write what happened in the meeting.")})
    if data["shared_own_story"] and not data["sharing_purpose"]:
        raise ValidationError(
            {
                "sharing_purpose": _(
                    "You shared from your own recovery: say for what purpose, "
                    "for the participant's benefit."
                )
            }
        )
    if not data["shared_own_story"] and data["sharing_purpose"]:
        raise ValidationError(
            {
                "sharing_purpose": _(
                    "Tick “I shared from my own recovery”, or clear why you shared."
                )
            }
        )
    goal_ids = _goal_ids(engagement, changes.get("goals"))
    steps = _steps(changes["steps"]) if "steps" in changes else None
    return data, goal_ids, steps


def _write_steps(note: Note, steps: list[dict]) -> None:
    """Make the note's next steps these rows; kept rows keep when they were done."""
    existing = {step.pk: step for step in note.steps.all()}
    kept = set()
    for row in steps:
        pk = row["id"]
        try:
            pk = int(pk) if pk else None
        except (TypeError, ValueError):
            pk = -1
        if pk is not None and pk not in existing:
            raise ValidationError({"steps": _("Reload the page: a next step has changed.")})
        step = existing.get(pk) or NextStep(note=note)
        step.text, step.owner, step.due_on = row["text"], row["owner"], row["due_on"]
        step.full_clean()
        step.save()
        kept.add(step.pk)
    note.steps.exclude(pk__in=kept).delete()


def _finalize(note: Note, actor) -> None:
    note.status = NoteStatus.FINAL
    note.finalized_at = timezone.now()
    note.finalized_by = actor


# --- writes -------------------------------------------------------------------------


def note_save(
    *,
    meeting: Meeting,
    actor,
    expected_version: int | None,
    finalize: bool = False,
    **changes,
) -> Note:
    """Write the note of a held meeting as a draft (or finalize it at once).

    ``expected_version`` is the version the writer read, or None/0 when they saw no note;
    an older one is refused (``StaleEdit``), so an edit never overwrites another.
    ``changes``: topics, body, goals (Goal or ids of the engagement's goals), techniques,
    wellness_dimensions, readiness_signals (values of their TextChoices),
    shared_own_story, sharing_purpose, summary, and steps (rows of text, owner, due_on and
    the id of a kept step; when left out, the steps stay as they are).
    """
    engagement = meeting.engagement
    ensure_writable(engagement)
    if meeting.status != MeetingStatus.HELD:
        raise RuleViolation(_("Only a meeting that was held can have a note."))
    data, goal_ids, steps = _content(engagement, changes)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        current = Note.objects.select_related("author").filter(meeting=meeting).first()
        if current is None:
            if expected_version:
                raise StaleEdit(_("This note is gone. Reload the page and write it again."))
            note = Note(meeting=meeting, author=actor, **data)
            if finalize:
                _finalize(note, actor)
            note.full_clean()
            note._history_user = actor
            try:
                with transaction.atomic():
                    note.save()
            except IntegrityError:
                raise StaleEdit(
                    _("Someone else wrote this note meanwhile. Reload the page to see it.")
                ) from None
            action, fields = "note.created", sorted(data)
        else:
            current.meeting = meeting
            _ensure_draft(current)
            _ensure_may_sign(current, actor)
            check_version(current, expected_version if expected_version else -1)
            fields = [name for name in NOTE_FIELDS if getattr(current, name) != data[name]]
            for name in fields:
                setattr(current, name, data[name])
            if finalize:
                _finalize(current, actor)
                fields += ["status", "finalized_at", "finalized_by"]
            current.full_clean()
            save_changes(current, actor, [*fields, "updated_at"], reason="edited")
            note, action = current, "note.updated"
        note.goals.set(goal_ids)
        if steps is not None:
            _write_steps(note, steps)
        event_record(
            actor=actor,
            organization=engagement.organization,
            action=action,
            obj=note,
            data={"meeting": meeting.pk, "fields": [f for f in fields if f in NOTE_FIELDS]},
        )
        if finalize:
            event_record(
                actor=actor,
                organization=engagement.organization,
                action="note.finalized",
                obj=note,
                data={"meeting": meeting.pk},
            )
    return note


def note_finalize(*, note: Note, actor, expected_version: int | None) -> Note:
    """Sign a draft as it stands: from now on it only takes addenda."""
    engagement = note.meeting.engagement
    ensure_writable(engagement)
    with transaction.atomic():
        current = Note.objects.select_for_update().select_related("author").get(pk=note.pk)
        current.meeting = note.meeting
        _ensure_draft(current)
        _ensure_may_sign(current, actor)
        check_version(current, expected_version if expected_version else -1)
        _finalize(current, actor)
        save_changes(
            current,
            actor,
            ["status", "finalized_at", "finalized_by", "updated_at"],
            reason="finalized",
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="note.finalized",
            obj=current,
            data={"meeting": note.meeting_id},
        )
    return current


def addendum_create(*, note: Note, actor, body: str) -> Addendum:
    """Add to a finalized note; allowed after the engagement closed (design.md §3)."""
    if not note.is_final:
        raise RuleViolation(_("This note is still a draft: change the note itself instead."))
    body = str(body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the addendum.")})
    with transaction.atomic():
        addendum = Addendum(note=note, author=actor, body=body)
        addendum.full_clean()
        addendum.save()
        event_record(
            actor=actor,
            organization=note.meeting.engagement.organization,
            action="note.addendum_added",
            obj=note,
            data={"addendum": addendum.pk},
        )
    return addendum


# --- reads --------------------------------------------------------------------------


def note_of(meeting: Meeting) -> Note | None:
    """The meeting's note with its goals, next steps and addenda, or None."""
    note = (
        Note.objects.filter(meeting=meeting)
        .select_related("author", "finalized_by")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("created_at", "pk")),
            "steps",
            Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
        )
        .first()
    )
    if note is not None:
        note.meeting = meeting
        for name, attribute in (
            ("techniques", "technique_labels"),
            ("wellness_dimensions", "dimension_labels"),
            ("readiness_signals", "readiness_labels"),
        ):
            labels = dict(_CHOICE_FIELDS[name][0].choices)
            setattr(note, attribute, [labels[v] for v in getattr(note, name) if v in labels])
    return note


def refusal_for(meeting: Meeting, note: Note | None, actor) -> str:
    """Why ``actor`` cannot write this meeting's note now, or ""."""
    if meeting.engagement.is_closed:
        return _("This engagement is closed; its record can no longer be changed.")
    if meeting.status != MeetingStatus.HELD:
        return _("Only a meeting that was held can have a note.")
    if note is None:
        return ""
    try:
        _ensure_draft(note)
        _ensure_may_sign(note, actor)
    except RuleViolation as refusal:
        return refusal.message
    return ""


def _label(name: str) -> str:
    if name == "goals":
        return _("Goals touched")
    if name == "steps":
        return _("Next steps")
    return str(Note._meta.get_field(name).verbose_name).capitalize()


def _display(name: str, value, engagement) -> str:
    """One field's value as a reader sees it."""
    if name == "goals":
        goals = engagement.goals.filter(pk__in=value) if value else []
        return "\n".join(goal.statement for goal in goals)
    if name == "steps":
        owners = dict(StepOwner.choices)
        return "\n".join(
            f"{text} ({owners.get(owner, owner)}{', ' + due.isoformat() if due else ''})"
            for text, owner, due in value
        )
    if name in _CHOICE_FIELDS:
        labels = dict(_CHOICE_FIELDS[name][0].choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _comparable(name: str, value):
    if name == "goals":
        return sorted(int(getattr(goal, "pk", goal)) for goal in value or [])
    if name in _CHOICE_FIELDS:
        return [v for v in _CHOICE_FIELDS[name][0].values if v in (value or [])]
    if name == "shared_own_story":
        return bool(value)
    return str(value or "").strip()


def note_differences(stored: Note, typed: dict) -> list[dict]:
    """Where the stored note differs from what someone typed: label, stored and typed text."""
    engagement = stored.meeting.engagement
    rows = []
    for name in ("topics", "body", "goals", *NOTE_FIELDS[2:]):
        before = _comparable(
            name, stored.goals.all() if name == "goals" else getattr(stored, name)
        )
        after = _comparable(name, typed.get(name))
        if before != after:
            rows.append(
                {
                    "label": _label(name),
                    "stored": _display(name, before, engagement),
                    "typed": _display(name, after, engagement),
                }
            )
    if "steps" in typed:
        before = [(s.text, s.owner, s.due_on) for s in stored.steps.all()]
        try:
            after = [(s["text"], s["owner"], s["due_on"]) for s in _steps(typed["steps"])]
        except ValidationError:
            after = [(s.get("text", ""), s.get("owner", ""), None) for s in typed["steps"]]
        if before != after:
            rows.append(
                {
                    "label": _label("steps"),
                    "stored": _display("steps", before, engagement),
                    "typed": _display("steps", after, engagement),
                }
            )
    return rows


def readiness_recorded(engagement) -> bool:
    """Whether any note of this engagement (draft or finalized) records a readiness signal."""
    return (
        Note.objects.filter(meeting__engagement=engagement).exclude(readiness_signals=[]).exists()
    )


def readiness_signals_for(engagement) -> list[dict]:
    """The readiness signals the engagement's notes (draft or finalized) record.

    One row per signal observed, in the order of ``ReadinessSignal``:
    ``{"signal": ReadinessSignal, "label": str, "count": int, "last_seen": datetime}``
    (``last_seen`` is when the latest meeting noting it started). One query.
    """
    seen: dict[str, dict] = {}
    rows = (
        Note.objects.filter(meeting__engagement=engagement)
        .exclude(readiness_signals=[])
        .values_list("readiness_signals", "meeting__starts_at")
    )
    for signals, starts_at in rows:
        for value in signals or []:
            if value not in ReadinessSignal.values:
                continue
            row = seen.setdefault(value, {"count": 0, "last_seen": starts_at})
            row["count"] += 1
            row["last_seen"] = max(row["last_seen"], starts_at)
    return [
        {
            "signal": signal,
            "label": signal.label,
            "count": seen[signal.value]["count"],
            "last_seen": seen[signal.value]["last_seen"],
        }
        for signal in ReadinessSignal
        if signal.value in seen
    ]


def notes_overdue(user, organization, *, now: datetime.datetime | None = None) -> QuerySet:
    """Held meetings older than NOTE_DUE_HOURS with no finalized note (a draft or none).

    Scoped by the permissions module (a supporter: their own engagements; a supervisor:
    their supporters'; a coordinator: their programs'), open engagements only (a closed
    one is read-only). Oldest first, each with ``engagement__participant`` and
    ``engagement__supporter`` selected and ``has_draft`` annotated; one query to list
    or count.
    """
    if organization is None or not has_capability(user, organization, Cap.NOTES_READ):
        return Meeting.objects.none()
    cutoff = (now or timezone.now()) - NOTE_DUE_AFTER
    final = Note.objects.filter(meeting=OuterRef("pk"), status=NoteStatus.FINAL)
    draft = Note.objects.filter(meeting=OuterRef("pk"), status=NoteStatus.DRAFT)
    return (
        scoped(Meeting.objects.all(), user, organization, via="engagement")
        .filter(status=MeetingStatus.HELD, starts_at__lte=cutoff)
        .exclude(engagement__state=State.CLOSED)
        .exclude(Exists(final))
        .annotate(has_draft=Exists(draft))
        .select_related("engagement__participant", "engagement__supporter")
        .order_by("starts_at", "pk")
    )


def participant_summaries(meeting_ids: Sequence[int]) -> dict[int, str]:
    """Meeting id → the participant-facing summary of its finalized note, where written.

    The only part of a note the participant ever sees; one query.
    """
    if not meeting_ids:
        return {}
    return dict(
        Note.objects.filter(meeting_id__in=list(meeting_ids), status=NoteStatus.FINAL)
        .exclude(summary="")
        .values_list("meeting_id", "summary")
    )


def participant_summaries_attach(meetings: Iterable[Meeting]) -> None:
    """Set ``participant_summary`` ("" when none) on each meeting, in one query."""
    meetings = list(meetings)
    summaries = participant_summaries([m.pk for m in meetings])
    for meeting in meetings:
        meeting.participant_summary = summaries.get(meeting.pk, "")
