"""Hash chain over the access log: seal new rows in order, verify the whole chain.

A request writes its access-log row unsealed (one plain INSERT, no lock). Sealing,
run every few minutes, takes the unsealed rows in id order under a lock on the one
chain-head row and gives each the next ``seq`` and
``hash = sha256(previous hash + canonical row)``. Verifying recomputes the chain and
names the first row whose content, order or presence no longer matches.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from alongside.audit.models import AccessLog, AccessLogChainHead

HEAD_PK = 1
GENESIS = "0" * 64
BATCH = 1000

# The fields a seal covers, in this order. Adding one needs a new chain version.
FIELDS = (
    "id",
    "seq",
    "organization_id",
    "actor_id",
    "method",
    "path",
    "what",
    "participant_ids",
    "reason",
    "at",
)


def _at(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_canonical(values: dict) -> str:
    """The row as one JSON line, identical on SQLite and PostgreSQL."""
    data = {name: values[name] for name in FIELDS}
    data["at"] = _at(values["at"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def row_hash(previous: str, values: dict) -> str:
    return hashlib.sha256((previous + row_canonical(values)).encode()).hexdigest()


@dataclass
class SealRun:
    sealed: int
    seq: int
    hash: str

    def summary(self) -> str:
        return f"sealed {self.sealed} rows, chain at seq {self.seq} ({self.hash[:12]})"


def _seal_batch(upto_id: int) -> tuple[int, AccessLogChainHead]:
    """Seal up to BATCH unsealed rows with id <= upto_id; one transaction, head locked."""
    with transaction.atomic():
        # PostgreSQL: the row lock makes a second sealer wait here, then read the new
        # head. SQLite: transactions start IMMEDIATE (settings), so only one writer runs.
        head = AccessLogChainHead.objects.select_for_update().get(pk=HEAD_PK)
        rows = list(
            AccessLog._base_manager.filter(seq__isnull=True, pk__lte=upto_id)
            .order_by("pk")
            .values(*[f for f in FIELDS if f != "seq"])[:BATCH]
        )
        previous = head.hash or GENESIS
        seq = head.seq
        for values in rows:
            seq += 1
            values["seq"] = seq
            previous = row_hash(previous, values)
            # The only write to an existing row the application makes; _base_manager
            # skips the append-only queryset, and seq IS NULL keeps a sealed row sealed.
            changed = AccessLog._base_manager.filter(pk=values["id"], seq__isnull=True).update(
                seq=seq, hash=previous
            )
            if changed != 1:
                raise RuntimeError(f"Access-log row {values['id']} was sealed by another run.")
        if rows:
            head.seq, head.hash, head.sealed_at = seq, previous, timezone.now()
            head.save(update_fields=["seq", "hash", "sealed_at"])
        return len(rows), head


def chain_seal() -> SealRun:
    """Seal the rows logged before this call; rows logged meanwhile wait for the next."""
    AccessLogChainHead.objects.get_or_create(pk=HEAD_PK)
    upto = AccessLog._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
    total = 0
    while True:
        count, head = _seal_batch(upto)
        total += count
        if count < BATCH:
            return SealRun(sealed=total, seq=head.seq, hash=head.hash or GENESIS)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    unsealed: int
    problem: str = ""
    row_id: int | None = None
    seq: int | None = None
    head_hash: str = ""

    def summary(self) -> str:
        if self.ok:
            return (
                f"Access log chain intact: {self.checked} sealed rows verified "
                f"(head {self.head_hash[:12] or 'empty'}), {self.unsealed} not yet sealed."
            )
        return f"Access log chain BROKEN after {self.checked} good rows: {self.problem}"


def chain_verify() -> VerifyResult:
    """Recompute the chain in seq order; stop at the first row that does not match."""
    head = AccessLogChainHead.objects.filter(pk=HEAD_PK).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    unsealed = AccessLog._base_manager.filter(seq__isnull=True).count()
    rows = (
        AccessLog._base_manager.filter(seq__isnull=False)
        .order_by("seq")
        .values(*FIELDS, "hash")
        .iterator(chunk_size=2000)
    )
    previous, expected, checked = GENESIS, 1, 0

    def broken(problem: str, row_id: int | None, seq: int | None) -> VerifyResult:
        return VerifyResult(False, checked, unsealed, problem, row_id, seq)

    for values in rows:
        row_id, seq = values["id"], values["seq"]
        if seq != expected:
            if seq > expected:
                return broken(
                    f"seq {expected}..{seq - 1} missing before row {row_id} (seq {seq}): "
                    "rows were deleted or renumbered.",
                    row_id,
                    seq,
                )
            return broken(f"row {row_id} has seq {seq}, expected {expected}.", row_id, seq)
        if seq > head_seq:
            return broken(
                f"row {row_id} (seq {seq}) is beyond the chain head (seq {head_seq}): "
                "a row was added outside sealing.",
                row_id,
                seq,
            )
        digest = row_hash(previous, values)
        if digest != values["hash"]:
            return broken(
                f"row {row_id} (seq {seq}) does not match its hash: it was changed, "
                "moved or inserted.",
                row_id,
                seq,
            )
        previous, expected, checked = digest, expected + 1, checked + 1
    if checked != head_seq or (head_seq and previous != head_hash):
        return broken(
            f"the chain ends at seq {checked} but its head says seq {head_seq}: "
            "the last rows were deleted or the head was changed.",
            None,
            checked + 1,
        )
    return VerifyResult(True, checked, unsealed, head_hash=head_hash)
