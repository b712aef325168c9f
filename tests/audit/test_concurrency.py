"""16 concurrent writers, each on its own PostgreSQL connection: the chain never forks."""

import threading

import pytest
from django.db import connection, connections

from audit import services
from tests.audit.tampering import verify

WRITERS, EVENTS = 16, 1000


@pytest.mark.postgres
def test_16_writers_times_1000_events_leave_no_fork_gap_or_duplicate(transactional_db):
    start = services.tree_size()
    barrier, errors = threading.Barrier(WRITERS), []

    def writer(number):
        try:
            # Durability is not under test here (ordering is): without waiting for each commit's
            # fsync the 16,000 serialised appends fit the suite's time budget. Locks, isolation and
            # visibility are unchanged.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            barrier.wait()
            for n in range(EVENTS):
                services.record("test.concurrent", actor=None, object_type="test.writer", object_id=number, data={"n": n})
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, leaf_hash, prev_hash FROM audit_auditevent WHERE seq > %s ORDER BY seq", [start])
        rows = cursor.fetchall()
    assert [seq for seq, _, _ in rows] == list(range(start + 1, start + WRITERS * EVENTS + 1))  # no gap, no duplicate
    assert all(row[2] == previous[1] for previous, row in zip(rows, rows[1:]))  # one chain, no fork
    assert len({leaf for _, leaf, _ in rows}) == len(rows)
    status, result = verify()
    assert (status, result["size"]) == (0, start + WRITERS * EVENTS)
