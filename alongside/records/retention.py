"""Purging participants' records past the organization's retention period.

A participant is due when nothing of theirs is open (no engagement before closed, no
referral waiting, no concern unresolved) and their last engagement closed, last referral
ended and last concern was resolved longer ago than ``Organization.retention_years``.

A purge deletes every row that hangs off those participants, found by following the
foreign keys of every installed model (so apps added later are covered without a list
here), their django-simple-history rows (including those of rows deleted earlier), the
audit events about those rows (their data can quote the record) and their uploaded files.
It runs in one transaction with the database's foreign-key checks (deferred until the
end) proving that no row is left pointing at a deleted one: all or nothing.

Kept, on purpose: the access log (append-only and hash-chained; it holds participant ids,
no personal data), aggregate report builds (cells under 11 people are suppressed, so they
name nobody), and the portal sign-in, which is emptied of name, email and password and
deactivated rather than deleted because audit rows name it as their actor.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import SuspiciousOperation
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.models import AccessLog, AuditEvent
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.storage import private_storage

logger = logging.getLogger(__name__)

BATCH = 500
# Relations that null themselves on delete (SET_NULL) but mean "this row is about them".
OWNED_THROUGH_SET_NULL = {("concerns.Concern", "engagement")}
# Never followed: the logs are handled on their own (see the module's docstring).
NOT_FOLLOWED = {AccessLog, AuditEvent}


@dataclass
class PurgePlan:
    """What a purge would delete: counts per kind and the participants by record number."""

    organization_id: int
    cutoff: datetime.date | None
    participant_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    rows: dict[type[models.Model], set] = field(default_factory=dict, repr=False)
    file_names: set[str] = field(default_factory=set, repr=False)
    nulls: list[tuple[type[models.Model], str, set]] = field(default_factory=list, repr=False)
    portal_user_ids: list[int] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Names this exact set, so a confirmation can refuse if it changed since."""
        text = ",".join(str(pk) for pk in sorted(self.participant_ids))
        text += "|" + ",".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def retention_cutoff(organization, today: datetime.date | None = None) -> datetime.date | None:
    """Records that ended before this day are past the period; None: no period set."""
    years = organization.retention_years
    if not years:
        return None
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def participants_due(organization, cutoff: datetime.date) -> list[int]:
    """Ids of the participants with nothing open and everything ended before ``cutoff``."""
    from alongside.concerns.models import Concern, ConcernStatus
    from alongside.engagements.models import Engagement, State
    from alongside.participants.models import Participant
    from alongside.referrals.models import OPEN_STATUSES, Referral

    before = _start_of(cutoff)
    open_engagement = Engagement.objects.filter(~Q(state=State.CLOSED)).values("participant_id")
    late_engagement = Engagement.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=cutoff)
    ).values("participant_id")
    open_referral = Referral.objects.filter(status__in=OPEN_STATUSES).values("participant_id")
    late_referral = (
        Referral.objects.filter(
            Q(received_at__gte=before) | Q(screened_at__gte=before) | Q(matched_at__gte=before)
        )
    ).values("participant_id")
    unresolved = ~Q(status=ConcernStatus.RESOLVED)
    late_concern = Q(resolved_at__isnull=True) | Q(resolved_at__gte=before)
    concern_blocks = Concern.objects.filter(unresolved | late_concern)
    blocked_by_concern = concern_blocks.filter(engagement__isnull=False).values(
        "engagement__participant_id"
    )
    raised_in_portal = Participant.objects.filter(
        user__isnull=False, user_id__in=concern_blocks.values("raised_by_id")
    ).values("pk")
    return list(
        Participant.objects.filter(organization=organization, created_at__lt=before)
        .exclude(pk__in=open_engagement)
        .exclude(pk__in=late_engagement)
        .exclude(pk__in=open_referral)
        .exclude(pk__in=late_referral)
        .exclude(pk__in=blocked_by_concern)
        .exclude(pk__in=raised_in_portal)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _chunks(values: Iterable, size: int = BATCH):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _history_base(model: type[models.Model]) -> type[models.Model] | None:
    return getattr(model, "instance_type", None) if hasattr(model, "history_id") else None


def _relations() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, foreign key) pair the walk may follow, auto-created M2M rows included."""
    pairs = []
    for model in apps.get_models(include_auto_created=True):
        if model in NOT_FOLLOWED or model._meta.proxy:
            continue
        for fk in model._meta.concrete_fields:
            if fk.many_to_one or fk.one_to_one:
                pairs.append((model, fk))
    return pairs


def _portal_users(participant_ids: list[int]) -> list[int]:
    """Portal sign-ins that belong to these participants alone (no staff role anywhere)."""
    from alongside.accounts.models import Membership, Role
    from alongside.participants.models import Participant

    user_ids = set(
        Participant.objects.filter(pk__in=participant_ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    staff = set(
        Membership.objects.filter(user_id__in=user_ids)
        .exclude(role=Role.PARTICIPANT)
        .values_list("user_id", flat=True)
    )
    return sorted(user_ids - staff)


def _walk(participant_ids: list[int], portal_user_ids: list[int], plan: PurgePlan) -> None:
    """Collect every row reachable from the participants (to a fixed point)."""
    from alongside.concerns.models import Concern
    from alongside.participants.models import Participant

    rows: dict[type[models.Model], set] = defaultdict(set)
    rows[Participant] = set(participant_ids)
    if portal_user_ids:
        rows[Concern] |= set(
            Concern.objects.filter(raised_by_id__in=portal_user_ids).values_list("pk", flat=True)
        )
    relations = _relations()
    seen: dict[tuple, set] = defaultdict(set)  # (model, fk name) -> target ids already asked
    grew = True
    while grew:
        grew = False
        for model, fk in relations:
            target = fk.related_model._meta.concrete_model
            wanted = rows.get(target, set()) - seen[(model, fk.name)]
            if not wanted:
                continue
            seen[(model, fk.name)] |= wanted
            label = model._meta.label
            on_delete = getattr(fk.remote_field, "on_delete", None)
            if on_delete is models.SET_NULL and (label, fk.name) not in OWNED_THROUGH_SET_NULL:
                plan.nulls.append((model, fk.attname, wanted))
                continue
            found = set()
            for chunk in _chunks(wanted):
                found |= set(
                    model._default_manager.filter(**{f"{fk.attname}__in": chunk}).values_list(
                        "pk", flat=True
                    )
                )
            new = found - rows[model]
            if new:
                rows[model] |= new
                grew = True
            base = _history_base(model)
            if base is not None and new:
                # History of rows deleted earlier: their ids lead to their own history.
                ghosts = set()
                for chunk in _chunks(new):
                    ghosts |= set(
                        model._default_manager.filter(pk__in=chunk).values_list("id", flat=True)
                    )
                if ghosts - rows[base]:
                    rows[base] |= ghosts
                    grew = True
        # The history of every collected row, found by its id.
        for model in list(rows):
            history = getattr(model, "history", None)
            history_model = getattr(history, "model", None)
            if history_model is None or not hasattr(history_model, "history_id"):
                continue
            ids = rows[model]
            if not ids - seen[(history_model, "id")]:
                continue
            wanted = ids - seen[(history_model, "id")]
            seen[(history_model, "id")] |= wanted
            found = set()
            for chunk in _chunks(wanted):
                found |= set(
                    history_model._default_manager.filter(id__in=chunk).values_list(
                        "pk", flat=True
                    )
                )
            if found - rows[history_model]:
                rows[history_model] |= found
                grew = True
    plan.rows = {model: ids for model, ids in rows.items() if ids}


def _existing(model: type[models.Model], ids: set) -> set:
    found = set()
    for chunk in _chunks(ids):
        found |= set(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _files(plan: PurgePlan) -> None:
    for model, ids in plan.rows.items():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if _history_base(model) is not None:
            base = _history_base(model)
            names += [
                f.attname
                for f in base._meta.concrete_fields
                if isinstance(f, models.FileField)
                and f.attname in {x.attname for x in model._meta.concrete_fields}
            ]
        for name in set(names):
            for chunk in _chunks(ids):
                plan.file_names |= {
                    value
                    for value in model._default_manager.filter(pk__in=chunk).values_list(
                        name, flat=True
                    )
                    if value
                }


def _audit_events(plan: PurgePlan) -> set:
    """Audit events about the rows to delete (object_type is the model's name)."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for model, ids in plan.rows.items():
        if _history_base(model) is None:
            by_name[model._meta.model_name] |= {str(pk) for pk in ids}
    found = set()
    for name, ids in by_name.items():
        for chunk in _chunks(ids):
            found |= set(
                AuditEvent.objects.filter(object_type=name, object_id__in=chunk).values_list(
                    "pk", flat=True
                )
            )
    return found


def _kind(model: type[models.Model]) -> str:
    base = _history_base(model)
    if base is not None:
        return f"{base._meta.label} (history)"
    return model._meta.label


def _refuse_others(plan: PurgePlan) -> None:
    """A row found by the walk that names another participant stops the purge: a link
    between two people's records must never delete the other's."""
    due = set(plan.participant_ids)
    for model, ids in plan.rows.items():
        names = {f.attname for f in model._meta.concrete_fields}
        if "participant_id" not in names:
            continue
        for chunk in _chunks(ids):
            others = (
                model._default_manager.filter(pk__in=chunk, participant_id__isnull=False)
                .exclude(participant_id__in=due)
                .exists()
            )
            if others:
                raise RuleViolation(
                    _(
                        "A %(kind)s row links these records to another participant's; "
                        "nothing was purged. Unlink it, then run the purge again."
                    )
                    % {"kind": _kind(model)},
                    missing=["retention"],
                )


def retention_plan(organization, *, today: datetime.date | None = None) -> PurgePlan:
    """What a purge would delete now; reads only."""
    cutoff = retention_cutoff(organization, today)
    plan = PurgePlan(organization_id=organization.pk, cutoff=cutoff)
    if cutoff is None:
        return plan
    plan.participant_ids = participants_due(organization, cutoff)
    if not plan.participant_ids:
        return plan
    plan.portal_user_ids = _portal_users(plan.participant_ids)
    _walk(plan.participant_ids, plan.portal_user_ids, plan)
    # Ghost ids (rows deleted before, found through their history) are not counted.
    plan.rows = {model: _existing(model, ids) for model, ids in plan.rows.items()}
    plan.rows = {model: ids for model, ids in plan.rows.items() if ids}
    _refuse_others(plan)
    events = _audit_events(plan)
    if events:
        plan.rows[AuditEvent] = events
    _files(plan)
    plan.files = len(plan.file_names)
    counts = Counter()
    for model, ids in plan.rows.items():
        counts[_kind(model)] += len(ids)
    if plan.portal_user_ids:
        counts["accounts.User (portal sign-in emptied)"] = len(plan.portal_user_ids)
    plan.counts = dict(sorted(counts.items()))
    return plan


def _empty_portal_users(user_ids: list[int]) -> None:
    """Delete what hangs off the sign-ins; keep the row (audit rows name it) but empty it."""
    from alongside.accounts.models import User

    for model, fk in _relations():
        if fk.related_model is not User or model in NOT_FOLLOWED:
            continue
        if getattr(fk.remote_field, "on_delete", None) is models.CASCADE:
            model._default_manager.filter(**{f"{fk.attname}__in": user_ids}).delete()
    for user in User.objects.filter(pk__in=user_ids):
        user.username = f"purged-{user.pk}"
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.password = make_password(None)
        user.is_active = False
        user.save(
            update_fields=["username", "first_name", "last_name", "email", "password", "is_active"]
        )


def retention_purge(organization, actor, *, dry_run: bool = True, expected: str | None = None):
    """Plan the purge; unless ``dry_run``, carry it out atomically and record it.

    ``expected``: the fingerprint of the dry run the person confirmed; a different set
    now (someone returned, a record changed) is refused with RuleViolation.
    """
    if organization.retention_years is None:
        raise RuleViolation(
            _("Set the organization's retention period first (Keep records for …)."),
            missing=["retention_years"],
        )
    if dry_run:
        return retention_plan(organization)
    with transaction.atomic():
        # One purge at a time per organization: the organization row is the lock.
        type(organization).objects.select_for_update().filter(pk=organization.pk).first()
        plan = retention_plan(organization)
        if expected is not None and plan.fingerprint != expected:
            raise RuleViolation(
                _(
                    "The records due for purging changed since the dry run. Review the new "
                    "dry run, then confirm again."
                ),
                missing=["fingerprint"],
            )
        for model, attname, ids in plan.nulls:
            keep = plan.rows.get(model, set())
            for chunk in _chunks(ids):
                model._default_manager.filter(**{f"{attname}__in": chunk}).exclude(
                    pk__in=keep
                ).update(**{attname: None})
        for model, ids in plan.rows.items():
            for chunk in _chunks(ids):
                # A raw DELETE: no Python-side PROTECT, no signals (simple-history would
                # write a "deleted" copy), no append-only refusal; the database's deferred
                # foreign-key checks below prove nothing is left dangling.
                model._base_manager.filter(pk__in=chunk)._raw_delete(connection.alias)
        if plan.portal_user_ids:
            _empty_portal_users(plan.portal_user_ids)
        tables = {
            m._meta.db_table
            for m, fk in _relations()
            if fk.related_model._meta.concrete_model in plan.rows
        }
        connection.check_constraints(table_names=sorted(tables))
        event_record(
            actor=actor,
            organization=organization,
            action="retention.purged",
            obj=organization,
            data={
                "cutoff": plan.cutoff.isoformat() if plan.cutoff else None,
                "participants": len(plan.participant_ids),
                "counts": plan.counts,
                "files": plan.files,
            },
        )
        names = sorted(plan.file_names)
        transaction.on_commit(lambda: _delete_files(names))
    logger.info(
        "retention purge: organization %s, %d participant(s), %d row(s), %d file(s)",
        organization.pk,
        len(plan.participant_ids),
        plan.total_rows,
        plan.files,
    )
    return plan


def _delete_files(names: list[str]) -> None:
    """After the commit: a file left behind is logged, never fatal. Its stored name is
    random (agreements.models.scan_path), so the log names no one."""
    for name in names:
        try:
            private_storage.delete(name)
        except (OSError, SuspiciousOperation) as error:
            logger.error(
                "retention purge: could not delete the uploaded file %s (%s); delete it by hand",
                name,
                type(error).__name__,
            )
