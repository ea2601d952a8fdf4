"""The durable inbox: every Slack request that needs work is stored before it is acknowledged.

A listener registered here
1. may answer a form's validation error in the ack (then nothing is stored, nothing follows);
2. stores the request (one insert, leased to this process) — a Slack retry or a replayed
   request finds its key taken and is acknowledged without doing anything again;
3. acknowledges, and works the request off on the after-ack executor.
A request whose ack says nothing may instead be stored before Bolt sees it
(handlers/fast_ack.py, listener `BOLT_ROUTED`): it is then run through Bolt after the ack, and
its inbox listener works it off (`dispatch_stored`).
Whatever was stored and not finished — this process died, Slack or the database failed — is
taken up again by the sweeper of any process (`handlers.inbox_worker.InboxSweeper`, or
`serve`'s inbox worker) once its lease runs out. The work itself is idempotent (natural keys,
and `bot.posting`'s keys derived from the request).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Args, BoltContext, BoltRequest
from slack_bolt.context.respond import Respond
from sqlalchemy.exc import SQLAlchemyError

from bot.failures import Failure, classify
from bot.posting import end_request_scope, request_scope
from bot.runtime import Runtime, WorkspaceGone
from handlers.common import channel_of, user_of, workspace_id
from handlers.failures import tell_about_failure
from storage import inbox as store
from storage.db import transaction

log = logging.getLogger(__name__)

Validate = Callable[[Ack, dict[str, Any]], bool]
Keep = Callable[[dict[str, Any]], dict[str, Any]]
# A request that keeps failing for a transient reason is tried this often (back-off 5 s,
# 10 s, … 10 min: about an hour in all), then given up.
MAX_ATTEMPTS = 12
# What `_rebuilt_arguments` can give a work function after a restart.
REBUILDABLE_ARGUMENTS = frozenset(
    {"body", "event", "payload", "client", "context", "respond", "ack"}
)
CONTEXT_KEYS = ("team_id", "enterprise_id", "user_id", "channel_id", "bot_user_id", "bot_id")
# The listener of a request stored before Bolt saw it (handlers/fast_ack.py): the stored body
# goes through the Bolt app, and the inbox listener that matches works it off.
BOLT_ROUTED = "*bolt"
# Bolt's context key under which such a request reaches the inbox listener.
STORED_BEFORE_BOLT = "redthread_stored_before_bolt"


class DatabaseUnavailable(Exception):
    """The request could not be stored: it must not be acknowledged as if it were."""


@dataclass
class StoredBeforeBolt:
    """A request stored before Bolt saw it, on its way through Bolt to its listener."""

    request_id: int
    taken: bool = False


@dataclass(frozen=True)
class Work:
    name: str
    function: Callable[..., None]
    parameters: tuple[str, ...]
    # Its ack may answer (a form's errors) or only part of the body is stored: such requests
    # must reach it through Bolt before the ack, never by the fast path (handlers/fast_ack.py).
    needs_bolt_before_ack: bool = False


@dataclass
class Inbox:
    """The listeners' work by name, and the one way it is run, first time or taken up again."""

    runtime: Runtime
    after_ack: Executor
    # Set in `serve`'s web workers: the work is left to the inbox worker process
    # (handlers/inbox_worker.py), which this tells that a request is waiting.
    hand_off: Callable[[], None] | None = None
    works: dict[str, Work] = field(default_factory=dict)
    # The app whose listeners these are (`bot.app.build_app`): requests stored before Bolt saw
    # them are dispatched through it.
    bolt: App | None = None
    # Called before each request's work (`serve`'s inbox worker steps aside for the acks).
    before_work: Callable[[], None] | None = None
    # Called with the listener's name and the request's body once its work is done (the App
    # Home republishes the acting person's view after a change to their data).
    after_work: list[Callable[[str, dict[str, Any]], None]] = field(default_factory=list)
    _in_flight: set[int] = field(default_factory=set)
    _lock: threading.Condition = field(default_factory=threading.Condition)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.runtime.settings.inbox_lease_seconds)

    def listener(
        self,
        name: str,
        function: Callable[..., None],
        validate: Validate | None = None,
        keep: Keep | None = None,
    ) -> Callable[[Args], None]:
        """A Bolt listener that stores, acks, then runs `function` with the listener arguments
        it names (body, event, client, context, respond).

        `keep` says what of the body is stored and given to `function` (a direct message's
        text is never stored)."""
        work = Work(
            name,
            function,
            tuple(inspect.signature(function).parameters),
            needs_bolt_before_ack=validate is not None or keep is not None,
        )
        # A request taken up by another process gets its arguments rebuilt from the stored
        # body: a name that cannot be rebuilt, or used twice, would fail only then, so now.
        unknown = set(work.parameters) - REBUILDABLE_ARGUMENTS
        if unknown or name in self.works:
            raise ValueError(f"inbox listener {name}: duplicate name or {sorted(unknown)}")
        self.works[name] = work

        def listener(args: Args) -> None:
            stored = args.context.get(STORED_BEFORE_BOLT)
            if isinstance(stored, StoredBeforeBolt):  # acked long ago: work it off, here
                args.ack()  # for Bolt, which tries the next listener without one
                stored.taken = True
                self.run(stored.request_id, work, _arguments(work, args, keep))
                return
            if validate is not None and not validate(args.ack, args.body):
                return
            body = keep(args.body) if keep is not None else args.body
            request_id = self._store(work, args, body)
            args.ack()
            if request_id is not None and self.hand_off is not None:
                self.hand_off()
            elif request_id is not None:
                self._submit(request_id, work, _arguments(work, args, keep))

        listener.__name__ = f"inbox_{name}"
        return listener

    def _store(self, work: Work, args: Args, body: dict[str, Any]) -> int | None:
        context = args.context
        request = store.StoredRequest(
            team_id=workspace_id(body, context),
            request_key=request_key(body, args.request.headers, args.request.raw_body),
            listener=work.name,
            user_id=user_of(body),
            body=json.dumps(body, separators=(",", ":")),
            context=json.dumps({key: context.get(key) for key in CONTEXT_KEYS}),
        )
        try:
            request_id = self.store_new(request)
        except SQLAlchemyError as error:
            log.error("%s: could not store the request: %s", work.name, type(error).__name__)
            if body.get("type") == "event_callback":
                # Not acknowledged (Bolt answers 500), so Slack delivers the event again.
                raise DatabaseUnavailable(work.name) from error
            # Slack does not resend a command or a click: the person is told nothing was kept.
            self.after_ack.submit(
                tell_about_failure,
                self.runtime,
                args.client,
                body,
                args.respond,
                Failure("database", "unreachable"),
                stored=False,
            )
            return None
        if request_id is None:
            log.info("%s: %s seen before; not doing it again", work.name, request.request_key)
        return request_id

    def store_new(self, request: store.StoredRequest) -> int | None:
        """The one insert before an ack (a listener's, or handlers/fast_ack.py's for Bolt);
        None: seen before."""
        now = self.runtime.now()
        # Handed off, the request is nobody's until the inbox worker takes it.
        lease_until = None if self.hand_off is not None else now + self.lease
        return store.store_request(self.runtime.engine, request, now, lease_until)

    def hand_on_for_bolt(self, request_id: int, body: dict[str, Any]) -> None:
        """After the ack of a request stored for Bolt: to the inbox worker, or here."""
        if self.hand_off is not None:
            self.hand_off()
        else:
            self._submit_to_bolt(request_id, body)

    def _submit_to_bolt(self, request_id: int, body: dict[str, Any]) -> None:
        with self._lock:
            self._in_flight.add(request_id)
        self.after_ack.submit(self._in_turn, self.dispatch_stored, request_id, body)

    def dispatch_stored(self, request_id: int, body: dict[str, Any]) -> None:
        """Run a request stored before Bolt saw it through Bolt: its inbox listener works it
        off (`run`). Its signature was verified before it was stored, so it comes as Bolt's
        Socket Mode requests do, unverified (a retry may come long after five minutes)."""
        stored = StoredBeforeBolt(request_id)
        request = BoltRequest(body=body, mode="socket_mode", context={STORED_BEFORE_BOLT: stored})
        status = 500
        try:
            if self.bolt is None:
                raise RuntimeError("Inbox.bolt is not set")
            status = self.bolt.dispatch(request).status
        finally:
            if not stored.taken:
                self._not_taken(request_id, status, request.context.authorize_result is not None)

    def _not_taken(self, request_id: int, status: int, authorized: bool) -> None:
        """No listener took the request: none listens (404), Bolt skipped it (the bot's own
        event), or its authorization failed (Slack unreachable?): tried again later."""
        try:
            if status == 404 or (status < 400 and authorized):
                self._finish(request_id, f"done: no listener ({status})")
                return
            attempt = self._attempt_of(request_id)
            log.warning("request %s: Bolt answered %s without a listener", request_id, status)
            if attempt < MAX_ATTEMPTS:
                self._retry_later(request_id, attempt)
            else:
                self._finish(request_id, f"failed: Bolt answered {status}")
        finally:
            with self._lock:
                self._in_flight.discard(request_id)
                self._lock.notify_all()

    def _submit(self, request_id: int, work: Work, arguments: dict[str, Any]) -> None:
        # Ours from now on, queued or running: its lease is renewed until `run` ends.
        with self._lock:
            self._in_flight.add(request_id)
        self.after_ack.submit(self._in_turn, self.run, request_id, work, arguments)

    def _in_turn(self, task: Callable[..., None], *arguments: Any) -> None:
        if self.before_work is not None:
            self.before_work()
        task(*arguments)

    def run(self, request_id: int, work: Work, arguments: dict[str, Any]) -> None:
        """Work the request off once; record done, a retry, or that it was given up."""
        scope = request_scope(f"inbox:{request_id}")
        try:
            work.function(**arguments)
        except Exception as error:
            self._failed(request_id, work, arguments, error)
        else:
            self._finish(request_id, "done")
            self._after_work(work, arguments)
        finally:
            end_request_scope(scope)
            with self._lock:
                self._in_flight.discard(request_id)
                self._lock.notify_all()

    def room(self, capacity: int, timeout: float) -> int:
        """How many more requests may be taken up so that at most `capacity` are in flight;
        waits up to `timeout` for one to finish when none may."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._in_flight) < capacity, timeout)
            return max(0, capacity - len(self._in_flight))

    def _after_work(self, work: Work, arguments: dict[str, Any]) -> None:
        """Extras after the work: their failure is reported, never fails the request."""
        for observer in self.after_work:
            try:
                observer(work.name, arguments.get("body") or {})
            except Exception as error:
                log.warning("%s: after-work %s failed: %r", work.name, observer.__name__, error)
                self.runtime.report_failure(f"{work.name} (after)", error)

    def _failed(
        self, request_id: int, work: Work, arguments: dict[str, Any], error: Exception
    ) -> None:
        failure = classify(error)
        body: dict[str, Any] = arguments.get("body") or {}
        attempt = self._attempt_of(request_id)
        will_retry = failure.worth_retrying and attempt < MAX_ATTEMPTS
        where = f"team={workspace_id(body)} channel={channel_of(body)} user={user_of(body)}"
        if failure.kind == "bug":
            log.error("%s failed (%s)", work.name, where, exc_info=error)
        else:
            log.warning(
                "%s: %s %s (%s); %s",
                work.name,
                failure.kind,
                failure.code,
                where,
                f"retry {attempt + 1} later" if will_retry else "given up",
            )
        self.runtime.report_failure(work.name, error)
        if will_retry:
            self._retry_later(request_id, attempt)
        else:
            self._finish(request_id, f"failed: {failure.kind} {failure.code}")
        if attempt == 1 or not will_retry:
            tell_about_failure(
                self.runtime,
                arguments.get("client"),
                body,
                arguments.get("respond"),
                failure,
                stored=will_retry,
            )

    def _attempt_of(self, request_id: int) -> int:
        try:
            with transaction(self.runtime.sessions) as session:
                return store.attempts_of(session, request_id)
        except SQLAlchemyError:
            return 1

    def _retry_later(self, request_id: int, attempt: int) -> None:
        delay = timedelta(seconds=min(600, 5 * 2 ** (attempt - 1)))
        try:
            with transaction(self.runtime.sessions) as session:
                store.retry_at(session, request_id, self.runtime.now() + delay)
        except SQLAlchemyError:
            log.warning("request %s: its lease runs out by itself", request_id)

    def _finish(self, request_id: int, outcome: str) -> None:
        try:
            with transaction(self.runtime.sessions) as session:
                store.finish(session, request_id, self.runtime.now(), outcome)
        except SQLAlchemyError:
            # Not recorded as done: once the lease runs out the request is worked off again,
            # which its idempotent work makes harmless.
            log.warning("request %s: could not record %r", request_id, outcome)

    # -- taking over what others left ------------------------------------------------------

    def renew_leases(self) -> None:
        """Keep this process's running requests from being taken over while they run."""
        with self._lock:
            running = list(self._in_flight)
        if running:
            with transaction(self.runtime.sessions) as session:
                store.extend_leases(session, running, self.runtime.now() + self.lease)

    def sweep(self, limit: int = 50) -> int:
        """Take up requests nobody finished (a dead process, a retry that is due) or that were
        handed off; returns how many were handed to the executor."""
        now = self.runtime.now()
        with transaction(self.runtime.sessions) as session:
            rows = [
                (row.id, row.listener, row.team_id, row.body, row.context, row.attempts)
                for row in store.take_abandoned(session, now, now + self.lease, limit)
            ]
        for request_id, listener, team_id, body, context, attempts in rows:
            if attempts > 1:  # not a first attempt handed off by a web worker
                log.info("taking up request %s (%s) left unfinished", request_id, listener)
            if listener == BOLT_ROUTED:
                self._submit_to_bolt(request_id, json.loads(body))
                continue
            work = self.works.get(listener)
            if work is None:
                self._finish(request_id, f"failed: unknown listener {listener}")
                continue
            try:
                arguments = self._rebuilt_arguments(
                    work, team_id, json.loads(body), json.loads(context)
                )
            except WorkspaceGone:
                # Uninstalled, or its token revoked: nothing can be done there, and the
                # requests of the other workspaces behind this one must not wait for it.
                self._finish(request_id, "failed: workspace gone")
                continue
            self._submit(request_id, work, arguments)
        return len(rows)

    def _rebuilt_arguments(
        self, work: Work, team_id: str, body: dict[str, Any], stored: dict[str, Any]
    ) -> dict[str, Any]:
        client = self.runtime.client_for(team_id)
        context = BoltContext({key: value for key, value in stored.items() if value is not None})
        context["client"] = client
        response_url = body.get("response_url") or next(
            (url.get("response_url") for url in body.get("response_urls") or []), None
        )
        available = {
            "body": body,
            "event": body.get("event"),
            "payload": body.get("event") or body,
            "client": client,
            "context": context,
            "respond": Respond(response_url=response_url) if response_url else None,
            "ack": lambda *_args, **_kwargs: None,
        }
        return {name: available.get(name) for name in work.parameters}


def _arguments(work: Work, args: Args, keep: Keep | None) -> dict[str, Any]:
    """What `work` asks for of Bolt's listener arguments; the kept part of the body only."""
    arguments = {name: getattr(args, name) for name in work.parameters}
    if keep is not None:
        body = keep(args.body)
        kept = {"body": body, "event": body.get("event"), "payload": body.get("event")}
        arguments |= {name: kept[name] for name in work.parameters if name in kept}
    return arguments


def request_key(body: dict[str, Any], headers: dict[str, Any], raw_body: str) -> str:
    """The event id for events (Slack's retries carry it); else the signed request itself, so
    only a replay of the very same request has the same key."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    timestamp = (headers.get("x-slack-request-timestamp") or [""])[0]
    # Socket Mode has neither: Bolt keeps no raw body there, so the body itself (a command's
    # trigger_id makes each one unique) — else every command would look like the first.
    signed = raw_body or json.dumps(body, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{timestamp}|{signed}".encode()).hexdigest()[:48]
    return f"request:{digest}"
