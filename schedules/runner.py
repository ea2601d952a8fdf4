"""Running due runs: take the lease, run the job, record done or the error, say what happened.

One channel's runs go one after another, at least `CHANNEL_GAP_SECONDS` apart, which keeps the
clock within Slack's one message per second per channel; channels run in parallel (see
`schedules.clock`).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import deque
from collections.abc import Sequence
from datetime import timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import OperationalError

from bot.posting import PostPending
from bot.runtime import Runtime, WorkspaceGone
from schedules.jobs import JOBS
from schedules.later import QUIET_HOURS, RunLater
from schedules.plan import (
    CHANNEL_ELSEWHERE,
    FAILED,
    RAN,
    RUNNING_ELSEWHERE,
    SKIPPED,
    DueRun,
    Outcome,
    why_not_taken,
)
from storage.channels import set_channel_active
from storage.db import transaction
from storage.runs import claim_run, fail_run, finish_run
from storage.workspaces import TOKEN_REVOKED, stop

log = logging.getLogger("schedules.clock")

CHANNEL_GAP_SECONDS = 1.0
# Errors that will not heal by retrying: stop scheduling for that channel.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive"})
# Slack revoked the token (the tokens_revoked event may have been missed): the workspace stops,
# as the event would have stopped it (storage.workspaces).
TOKEN_REVOKED_ERROR = "token_revoked"
WORKSPACE_GONE = frozenset({TOKEN_REVOKED_ERROR, WorkspaceGone.__name__})
# The first failure is retried at the next tick; repeated ones back off, so that a Slack outage
# is not hammered by every channel every 30 s, but never so long that a day is lost.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=5)
# Failures expected in operation (Slack said no, the network or the database hiccupped) are
# warnings; anything else is a bug and logged as an error with where it happened.
# WorkspaceGone: uninstalled after the tick planned the run (the next tick plans none there).
EXPECTED_FAILURES = (
    SlackApiError,
    SlackClientError,
    OSError,
    OperationalError,
    PostPending,
    WorkspaceGone,
)


def retry_delay(attempts: int) -> timedelta:
    """How long a run that failed on its `attempts`-th try waits before the next one."""
    if attempts <= 1:
        return timedelta(0)
    doublings = min(attempts - 2, 16)  # 2**16 backoffs are past any cap; keeps the int small
    return min(FIRST_BACKOFF * 2**doublings, MAX_BACKOFF)


def error_code(error: BaseException) -> str:
    """Slack's error code, else the exception's class: never a message, which may quote what
    users typed."""
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        return str(code or "slack_api_error")
    return type(error).__name__


class ChannelRuns:
    """One channel's due runs, taken one step at a time, in the order they were due.

    Between two runs that went to Slack lie at least `gap_seconds`. The clock does not sleep
    them away in a worker: it queues the channel's next step behind every other channel's
    (see `schedules.clock.Clock`), so under load the gap has passed by the time it comes up.
    When another clock is running one of the channel's runs, it has the same list and paces
    the rest itself: this clock leaves the channel alone until its next tick.
    """

    def __init__(self, runs: Sequence[DueRun], gap_seconds: float = CHANNEL_GAP_SECONDS) -> None:
        self._runs = deque(runs)
        self._gap_seconds = gap_seconds
        self._not_before = 0.0  # time.monotonic()
        self._left_alone: str | None = None
        self.outcomes: list[Outcome] = []

    @property
    def finished(self) -> bool:
        return not self._runs

    def step(self, runtime: Runtime) -> None:
        """Run (or skip) the next run; safe to call from any thread, one at a time."""
        run = self._runs.popleft()
        if self._left_alone is not None:
            outcome = Outcome(run, SKIPPED, self._left_alone)
            outcome.log()
            self.outcomes.append(outcome)
            return
        wait = self._not_before - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        outcome, code = run_once(runtime, run)
        if outcome.status != SKIPPED:
            self._not_before = time.monotonic() + self._gap_seconds
        if code in CHANNEL_GONE:
            self._left_alone = f"the channel is inactive ({code})"
        elif code in WORKSPACE_GONE:
            self._left_alone = f"the workspace is gone ({code})"
        elif outcome.status == SKIPPED and outcome.reason == RUNNING_ELSEWHERE:
            self._left_alone = CHANNEL_ELSEWHERE
        self.outcomes.append(outcome)


def run_channel(
    runtime: Runtime, runs: Sequence[DueRun], gap_seconds: float = CHANNEL_GAP_SECONDS
) -> list[Outcome]:
    """One channel's due runs one after another, in this thread."""
    channel = ChannelRuns(runs, gap_seconds)
    while not channel.finished:
        channel.step(runtime)
    return channel.outcomes


def run_once(runtime: Runtime, run: DueRun) -> tuple[Outcome, str | None]:
    """The outcome (already logged) and, after a failure, its error code."""
    try:
        outcome, code = _take_and_run(runtime, run)
    except Exception as error:  # the database failed around the job: the lease runs out
        code = error_code(error)
        outcome = Outcome(run, FAILED, f"{code}; will retry", logging.ERROR)
    outcome.log()
    return outcome, code


def _take_and_run(runtime: Runtime, run: DueRun) -> tuple[Outcome, str | None]:
    now = runtime.now()
    if not run.window.is_open(now):  # it waited in the queue past its window
        return Outcome(run, SKIPPED, run.window.closing_reason), None
    # The claim and the done-mark are one statement each and settle races by themselves.
    claim = claim_run(runtime.engine, run.key, now)
    if not claim.taken:
        return Outcome(run, SKIPPED, why_not_taken(claim.state)), None
    try:
        note = JOBS[run.job](runtime, run.team_id, run.channel_id, run.window.fire_at)
    except RunLater as later:  # done in part; the rest waits (quiet hours), not a failure
        with transaction(runtime.sessions) as session:
            fail_run(session, run.key, QUIET_HOURS, later.until)
        return Outcome(run, RAN if later.did_something else SKIPPED, later.reason), None
    except Exception as error:
        runtime.report_failure(run.label, error)  # tests fail on it unless they expect it
        return _failed(runtime, run, error, claim.attempts)
    finish_run(runtime.engine, run.key, runtime.now())
    return Outcome(run, RAN, note or ""), None


def _failed(runtime: Runtime, run: DueRun, error: Exception, attempts: int) -> tuple[Outcome, str]:
    code = error_code(error)
    delay = retry_delay(attempts)
    with transaction(runtime.sessions) as session:
        fail_run(session, run.key, code, runtime.now() + delay if delay else None)
        if code in CHANNEL_GONE:
            set_channel_active(session, run.team_id, run.channel_id, False)
        if code == TOKEN_REVOKED_ERROR:
            stop(session, run.team_id, TOKEN_REVOKED, runtime.token_digest)
    if code in CHANNEL_GONE:
        return Outcome(run, FAILED, f"{code}; no more posts there", logging.WARNING), code
    if code in WORKSPACE_GONE:
        return Outcome(
            run, FAILED, f"{code}; nothing more in this workspace", logging.WARNING
        ), code
    if isinstance(error, EXPECTED_FAILURES):
        return Outcome(run, FAILED, f"{code}; will retry", logging.WARNING), code
    # Where it failed, without the message (it may quote what users typed).
    log.error(
        "%s raised %s at\n%s",
        run.label,
        code,
        "".join(traceback.format_tb(error.__traceback__)).rstrip(),
    )
    return Outcome(run, FAILED, f"{code}; will retry", logging.ERROR), code
