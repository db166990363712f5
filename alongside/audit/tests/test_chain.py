"""The access-log hash chain: sealing, verifying, and catching raw-SQL tampering."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from alongside.audit import chain
from alongside.audit.chain import chain_seal, chain_verify, row_hash
from alongside.audit.models import AccessLog, AccessLogChainHead

TABLE = AccessLog._meta.db_table


def log_row(n: int = 1) -> AccessLog:
    return AccessLog.objects.create(
        method="GET", path=f"/engagements/{n}/", what="engagement", participant_ids=[n, n + 1]
    )


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{t}", TABLE), params)


def sealed_rows() -> list[AccessLog]:
    return list(AccessLog.objects.filter(seq__isnull=False).order_by("seq"))


@pytest.fixture
def three(db) -> list[AccessLog]:
    rows = [log_row(n) for n in range(1, 4)]
    assert chain_seal().sealed == 3
    return [AccessLog.objects.get(pk=row.pk) for row in rows]


def test_sealing_gives_rows_consecutive_seqs_and_a_verifiable_chain(three):
    assert [row.seq for row in three] == [1, 2, 3]
    assert all(len(row.hash) == 64 for row in three)
    assert len({row.hash for row in three}) == 3
    result = chain_verify()
    assert result.ok, result.problem
    assert (result.checked, result.unsealed) == (3, 0)
    head = AccessLogChainHead.objects.get()
    assert (head.seq, head.hash) == (3, three[-1].hash)


def test_an_empty_log_verifies(db):
    assert chain_seal().sealed == 0
    assert chain_verify().ok


def test_sealing_is_idempotent_and_continues_the_chain(three):
    run = chain_seal()
    assert (run.sealed, run.seq, run.hash) == (0, 3, three[-1].hash)
    assert [row.hash for row in sealed_rows()] == [row.hash for row in three]
    later = [log_row(n) for n in (7, 8)]
    assert chain_verify().unsealed == 2
    run = chain_seal()
    assert (run.sealed, run.seq) == (2, 5)
    fourth = AccessLog.objects.get(pk=later[0].pk)
    values = {f: getattr(fourth, f) for f in chain.FIELDS}
    assert fourth.hash == row_hash(three[-1].hash, values)
    result = chain_verify()
    assert result.ok and result.checked == 5


def test_rows_logged_while_sealing_are_sealed_next_time(db, monkeypatch):
    for n in range(5):
        log_row(n)
    monkeypatch.setattr(chain, "BATCH", 2)
    seal_batch = chain._seal_batch
    logged = []

    def batch_then_a_request_logs(upto_id):
        result = seal_batch(upto_id)
        if not logged:
            logged.append(log_row(99))
        return result

    monkeypatch.setattr(chain, "_seal_batch", batch_then_a_request_logs)
    assert chain_seal().sealed == 5
    assert AccessLog.objects.get(pk=logged[0].pk).seq is None
    result = chain_verify()
    assert result.ok and (result.checked, result.unsealed) == (5, 1)
    assert chain_seal().sealed == 1
    assert AccessLog.objects.get(pk=logged[0].pk).seq == 6
    assert chain_verify().ok


def test_an_edited_field_is_named(three):
    sql("UPDATE {t} SET path = %s WHERE id = %s", ["/somewhere-else/", three[1].pk])
    result = chain_verify()
    assert not result.ok
    assert (result.row_id, result.seq, result.checked) == (three[1].pk, 2, 1)
    assert f"row {three[1].pk} (seq 2) does not match its hash" in result.problem


def test_an_edited_participant_list_is_named(three):
    sql("UPDATE {t} SET participant_ids = %s WHERE id = %s", ["[2]", three[0].pk])
    result = chain_verify()
    assert not result.ok and result.row_id == three[0].pk


def test_an_edited_time_is_named(three):
    sql("UPDATE {t} SET at = %s WHERE id = %s", [three[2].at.replace(year=2020), three[2].pk])
    result = chain_verify()
    assert not result.ok and result.row_id == three[2].pk


def test_a_deleted_row_is_named_by_the_row_after_the_gap(three):
    sql("DELETE FROM {t} WHERE id = %s", [three[1].pk])
    result = chain_verify()
    assert not result.ok
    assert (result.row_id, result.seq) == (three[2].pk, 3)
    assert "seq 2..2 missing" in result.problem


def test_a_deleted_last_row_is_caught_by_the_head(three):
    sql("DELETE FROM {t} WHERE id = %s", [three[2].pk])
    result = chain_verify()
    assert not result.ok
    assert result.seq == 3 and "head says seq 3" in result.problem


def test_a_forged_sealed_row_is_named(three):
    values = {f: getattr(three[2], f) for f in chain.FIELDS}
    values.update(id=three[2].pk + 100, seq=4, path="/forged/")
    forged = row_hash(three[2].hash, values)
    sql(
        "INSERT INTO {t} (id, seq, hash, method, path, what, participant_ids, reason, at)"
        " VALUES (%s, 4, %s, 'GET', '/forged/', 'engagement', %s, '', %s)",
        [values["id"], forged, "[3, 4]", three[2].at],
    )
    result = chain_verify()
    assert not result.ok
    assert (result.row_id, result.seq) == (values["id"], 4)
    assert "beyond the chain head" in result.problem


def test_a_rewritten_chain_is_caught_by_the_head(three):
    """Editing a row and recomputing every later hash still disagrees with the head."""
    sql("UPDATE {t} SET what = %s WHERE id = %s", ["nothing", three[1].pk])
    previous = three[0].hash
    for row in three[1:]:
        row = AccessLog.objects.get(pk=row.pk)
        previous = row_hash(previous, {f: getattr(row, f) for f in chain.FIELDS})
        sql("UPDATE {t} SET hash = %s WHERE id = %s", [previous, row.pk])
    result = chain_verify()
    assert not result.ok and "head" in result.problem


def test_reordered_rows_are_named(three):
    sql("UPDATE {t} SET seq = -1 WHERE id = %s", [three[0].pk])
    sql("UPDATE {t} SET seq = 1 WHERE id = %s", [three[1].pk])
    sql("UPDATE {t} SET seq = 2 WHERE id = %s", [three[0].pk])
    result = chain_verify()
    assert not result.ok
    assert (result.row_id, result.seq) == (three[1].pk, 1)


def test_the_commands_seal_verify_and_fail_loudly(db, capsys):
    log_row()
    call_command("seal_access_log")
    assert capsys.readouterr().out.strip().startswith("Access log: sealed 1 rows, chain at seq 1")
    call_command("verify_access_log")
    head = AccessLogChainHead.objects.get()
    assert f"chain intact: 1 sealed rows verified (head {head.hash[:12]})" in (
        capsys.readouterr().out
    )
    sql("UPDATE {t} SET what = 'x'")
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_access_log")
    assert exit_.value.code == 1
    assert "BROKEN" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_concurrent_sealers_and_requests_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip(
            "threads share one in-memory SQLite database; IMMEDIATE transactions serialize"
        )
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                log_row(n * 100 + i)
                if i % 3 == 0:
                    chain_seal()
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    chain_seal()
    result = chain_verify()
    assert result.ok, result.problem
    assert (result.checked, result.unsealed) == (90, 0)
    assert sorted(AccessLog.objects.values_list("seq", flat=True)) == list(range(1, 91))
