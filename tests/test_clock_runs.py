"""Scheduled runs are leases, settled by the database on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from storage.db import SessionFactory, make_engine, make_session_factory, transaction
from storage.migrate import upgrade
from storage.runs import (
    LEASE,
    RunKey,
    RunState,
    claim_run,
    fail_run,
    finish_run,
    forget_runs_before,
    run_state,
    run_states,
)

KEY = RunKey("T0001", "C0001", "daily-prompt", date(2026, 11, 26))
NOW = datetime(2026, 11, 26, 8, 0, 10, tzinfo=UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def claim(sessions: SessionFactory, now: datetime = NOW, key: RunKey = KEY) -> bool:
    return claim_run(sessions.kw["bind"], key, now).taken


def state_of(sessions: SessionFactory, key: RunKey = KEY) -> RunState | None:
    return run_state(sessions.kw["bind"], key)


def test_a_run_is_taken_once_while_its_lease_lasts(sessions: SessionFactory) -> None:
    assert claim(sessions)
    assert not claim(sessions)
    assert not claim(sessions, NOW + LEASE)
    state = state_of(sessions)
    assert state is not None
    assert state.attempts == 1 and not state.done
    assert state.lease_until == NOW + LEASE


def test_a_lease_left_by_a_dead_clock_is_taken_over_after_it_expired(
    sessions: SessionFactory,
) -> None:
    assert claim(sessions)
    later = NOW + LEASE + timedelta(seconds=1)
    assert claim(sessions, later), "the first clock died: its lease ran out"
    state = state_of(sessions)
    assert state is not None and state.attempts == 2


def test_a_failed_run_is_free_again_and_keeps_its_error_until_retried(
    sessions: SessionFactory,
) -> None:
    assert claim(sessions)
    with transaction(sessions) as session:
        fail_run(session, KEY, "ratelimited", retry_at=None)
    state = state_of(sessions)
    assert state is not None and state.last_error == "ratelimited" and state.lease_until is None
    assert claim(sessions, NOW + timedelta(seconds=30))


def test_a_backoff_keeps_the_run_until_it_is_over(sessions: SessionFactory) -> None:
    assert claim(sessions)
    with transaction(sessions) as session:
        fail_run(session, KEY, "ratelimited", retry_at=NOW + timedelta(minutes=1))
    assert not claim(sessions, NOW + timedelta(seconds=30))
    assert claim(sessions, NOW + timedelta(minutes=1, seconds=1))


def test_a_done_run_is_never_taken_again(sessions: SessionFactory) -> None:
    assert claim(sessions)
    finish_run(sessions.kw["bind"], KEY, NOW)
    with transaction(sessions) as session:
        fail_run(session, KEY, "late_failure", retry_at=None)  # a stale clock changes nothing
    state = state_of(sessions)
    assert state is not None and state.done and state.last_error is None
    assert not claim(sessions, NOW + timedelta(days=1))


def test_concurrent_claims_have_exactly_one_winner(sessions: SessionFactory) -> None:
    start = threading.Barrier(8)
    won: list[bool] = []
    errors: list[BaseException] = []

    def contender() -> None:
        try:
            start.wait(5)
            won.append(claim(sessions))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=contender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(won) == [False] * 7 + [True]


def test_run_states_reads_the_runs_asked_for_and_housekeeping_forgets_old_runs(
    sessions: SessionFactory,
) -> None:
    old = KEY._replace(occurrence_date=date(2026, 10, 1))
    summary = KEY._replace(job="daily-summary")
    for key in (KEY, old, summary):
        assert claim(sessions, key=key)
    finish_run(sessions.kw["bind"], summary, NOW)
    prompt_today = (KEY.job, KEY.occurrence_date)
    with transaction(sessions) as session:
        assert set(run_states(session, [prompt_today])) == {KEY}
        states = run_states(session, [prompt_today, (summary.job, summary.occurrence_date)])
        assert (states[KEY].done, states[summary].done) == (False, True)
        assert run_states(session, []) == {}
        assert forget_runs_before(session, date(2026, 11, 12)) == 1
        assert set(run_states(session, [(old.job, old.occurrence_date), prompt_today])) == {KEY}
