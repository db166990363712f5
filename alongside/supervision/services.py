"""Recording supervision sessions and their follow-ups."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import PeerSupporterProfile
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import check_version, save_changes
from alongside.supervision.models import MAX_SESSION_MINUTES, FollowUp, SupervisionSession

SESSION_EDITABLE = ("held_on", "duration_minutes", "topics", "notes")


def _clean(*, supporter_id: int, organization, data: dict, engagements) -> dict:
    """Check what a session says; answer the cleaned fields (engagements aside)."""
    held_on = data.get("held_on")
    if held_on is None:
        raise RuleViolation(_("Give the date of the session."))
    if held_on > timezone.localdate():
        raise RuleViolation(_("A supervision session cannot be dated in the future."))
    minutes = data.get("duration_minutes")
    if not minutes or not 1 <= int(minutes) <= MAX_SESSION_MINUTES:
        raise RuleViolation(
            _("Give the length in minutes, from 1 to %(max)s.") % {"max": MAX_SESSION_MINUTES}
        )
    topics = str(data.get("topics") or "").strip()
    if not topics:
        raise RuleViolation(_("Name at least one topic (without participant names)."))
    strangers = [
        e
        for e in engagements
        if e.supporter_id != supporter_id or e.organization_id != organization.pk
    ]
    if strangers:
        raise RuleViolation(_("Choose engagements discussed from this supporter's caseload."))
    return {
        "held_on": held_on,
        "duration_minutes": int(minutes),
        "topics": topics,
        "notes": str(data.get("notes") or "").strip(),
    }


def _ensure_supervises(supervisor, supporter, organization) -> None:
    supervises = PeerSupporterProfile.objects.filter(
        user=supporter, organization=organization, supervisor=supervisor
    ).exists()
    if not supervises:
        raise RuleViolation(_("Only this supporter's supervisor records their supervision."))


def session_record(
    *,
    supervisor,
    supporter,
    organization,
    held_on: datetime.date,
    duration_minutes: int,
    topics: str,
    engagements=(),
    notes: str = "",
    follow_up: str = "",
    follow_up_due: datetime.date | None = None,
) -> SupervisionSession:
    """A supervisor records a session with a supporter they supervise."""
    _ensure_supervises(supervisor, supporter, organization)
    engagements = list(engagements)
    data = _clean(
        supporter_id=supporter.pk,
        organization=organization,
        data={
            "held_on": held_on,
            "duration_minutes": duration_minutes,
            "topics": topics,
            "notes": notes,
        },
        engagements=engagements,
    )
    follow_up = (follow_up or "").strip()
    if follow_up_due and not follow_up:
        raise RuleViolation(_("Write the follow-up, or leave its date empty."))
    with transaction.atomic():
        session = SupervisionSession(
            organization=organization, supervisor=supervisor, supporter=supporter, **data
        )
        session.full_clean()
        session._history_user = supervisor
        session._change_reason = "recorded"
        session.save()
        session.engagements.set(engagements)
        if follow_up:
            FollowUp.objects.create(session=session, text=follow_up, due_on=follow_up_due)
        event_record(
            actor=supervisor,
            organization=organization,
            action="supervision.recorded",
            obj=session,
            data={"supporter": supporter.pk},
        )
    return session


def session_update(
    *, session: SupervisionSession, actor, expected_version: int | None, **changes
) -> SupervisionSession:
    """The supervisor who recorded the session edits it; a stale edit is refused."""
    if actor.pk != session.supervisor_id:
        raise RuleViolation(_("Only the supervisor who recorded this session edits it."))
    engagements = list(changes.pop("engagements", session.engagements.all()))
    with transaction.atomic():
        current = SupervisionSession.objects.select_for_update().get(pk=session.pk)
        check_version(current, expected_version if expected_version is not None else -1)
        merged = {name: changes.get(name, getattr(current, name)) for name in SESSION_EDITABLE}
        data = _clean(
            supporter_id=current.supporter_id,
            organization=current.organization,
            data=merged,
            engagements=engagements,
        )
        fields = [name for name in SESSION_EDITABLE if getattr(current, name) != data[name]]
        before = set(current.engagements.values_list("pk", flat=True))
        after = {e.pk for e in engagements}
        for name in fields:
            setattr(current, name, data[name])
        if fields or before != after:
            current.full_clean()
            save_changes(current, actor, [*fields, "updated_at"], reason="edited")
            if before != after:
                current.engagements.set(engagements)
            event_record(
                actor=actor,
                organization=current.organization,
                action="supervision.updated",
                obj=current,
                data={
                    "supporter": current.supporter_id,
                    "fields": fields + (["engagements"] if before != after else []),
                },
            )
    return current


def follow_up_add(
    *, session: SupervisionSession, actor, text: str, due_on: datetime.date | None = None
) -> FollowUp:
    if actor.pk != session.supervisor_id:
        raise RuleViolation(_("Only the supervisor who recorded this session adds follow-ups."))
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Write the follow-up."))
    with transaction.atomic():
        follow_up = FollowUp(session=session, text=text, due_on=due_on)
        follow_up.full_clean()
        follow_up.save()
        event_record(
            actor=actor,
            organization=session.organization,
            action="supervision.follow_up_added",
            obj=follow_up,
            data={"session": session.pk},
        )
    return follow_up


def follow_up_mark(*, follow_up: FollowUp, actor, done: bool = True) -> FollowUp:
    """Mark a follow-up done (or not done again)."""
    if actor.pk != follow_up.session.supervisor_id:
        raise RuleViolation(_("Only the supervisor who recorded this session updates it."))
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        current.done_at = (current.done_at or timezone.now()) if done else None
        current.save(update_fields=["done_at"])
        event_record(
            actor=actor,
            organization=follow_up.session.organization,
            action="supervision.follow_up_done" if done else "supervision.follow_up_reopened",
            obj=current,
            data={"session": follow_up.session_id},
        )
    return current
