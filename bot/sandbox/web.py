"""The sandbox's HTTP side: the page, its static files and its JSON API (all on 127.0.0.1).

JSON API (the page in bot/sandbox/static/ is its only client; names are fixed):

GET  /api/state?user=U[&since=n]   (no user: the first teammate's, for the page's first load)
     {"version", "me", "team": {id, name, domain}, "users": [{id, name, real_name, locale, tz,
     is_bot}], "channels": [{id, name}], "messages": {channel_id: [message as
     conversations.history gives it, oldest first, with "replies": [thread replies oldest
     first] and "reactions": [{name, users, count}] (replies have reactions too)]},
     "ephemerals": [messages only U sees, with "channel" and "thread_ts", newest last],
     "modal": the top view of U's modal stack or null, "home": U's Home view or null,
     "jobs": ["daily-prompt", …], "now": the sandbox's time (ISO)}
     With since=n it waits (up to 25 s) until the version is past n: a long poll.
     The "messages" include U's direct messages with the bot under "D…" (U without its "U").
GET  /api/events   text/event-stream: `data: {"version": n}` now and on each change, and a
     `: keep-alive` comment every 15 s.
POST (JSON body; the answer is {"ok": true, "version": n, …} or, for bad input, 400 with
     {"ok": false, "error": "…"}):
     /api/command {user, channel, command, text}
     /api/message {user, channel, text, thread_ts?} → also "ts" of the new message
     /api/reaction {user, channel, ts, name, on} → also "changed"
     /api/action {user, channel?, message_ts?, view_id?, action_id, block_id, value?,
                  selected_option? (the option, or its value)}: a click on a message (channel
                  and message_ts), in the Home or in a modal (view_id); block_id may be ""
                  for a block the bot sent without one (then action_id alone finds it)
     /api/view_submission {user, view_id, values: {block_id: {action_id: state}}} (a state
                  is Slack's, e.g. {"type": "plain_text_input", "value": "…"}, or a string)
                  → {"ok": false, "errors": {block_id: message}} when the bot refuses it (the
                  modal stays open)
     /api/view_closed {user, view_id}
     /api/home {user}   (the person opens the App Home tab)
     /api/shortcut {user, channel, message_ts, callback_id}
     /api/run_job {job, channel, at}  like `python -m bot run JOB --channel C --at ISO` (at
                  in the channel's local time unless it has an offset; empty: now); the
                  sandbox's time goes on from `at`. → also "ran": the line `run` prints
     /api/reset {}  a fresh database and workspace, seeded again
GET  /  the page (static/index.html); /static/NAME its files.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from bot.sandbox import actions, modals
from bot.sandbox.engine import BadInput, Sandbox

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
KEEP_ALIVE_SECONDS = 15.0
LONG_POLL_SECONDS = 25.0
MAX_BODY = 1_000_000
POSTS: dict[str, actions.Action] = {
    "/api/command": actions.command,
    "/api/message": actions.message,
    "/api/reaction": actions.reaction,
    "/api/action": actions.action,
    "/api/view_submission": modals.view_submission,
    "/api/view_closed": modals.view_closed,
    "/api/home": actions.home,
    "/api/shortcut": actions.shortcut,
    "/api/run_job": actions.run_scheduled_job,
    "/api/reset": actions.reset,
}


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")]
    start_response(status, [*headers, ("Content-Length", str(len(data)))])
    return [data]


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadInput("Content-Length: not a number") from None
    if length > MAX_BODY:
        raise BadInput("body: too large")
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        raise BadInput("body: not JSON") from None
    if not isinstance(parsed, dict):
        raise BadInput("body: a JSON object is required")
    return parsed


def make_sandbox_app(
    sandbox: Sandbox,
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app of the page and its API."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        query = parse_qs(environ.get("QUERY_STRING") or "")
        try:
            if method == "POST" and path in POSTS:
                return _post(sandbox, POSTS[path], environ, start_response)
            if method != "GET":
                return _json(start_response, "405 Method Not Allowed", _error("not allowed"))
            if path == "/api/state":
                return _json(start_response, "200 OK", _state(sandbox, query))
            if path == "/api/events":
                return _events(sandbox, start_response)
            return _static(path, start_response)
        except BadInput as problem:
            return _json(start_response, "400 Bad Request", _error(str(problem)))
        except Exception as error:  # the page gets a short answer; the log has the details
            log.exception("sandbox request %s %s failed", method, path)
            return _json(start_response, "500 Internal Server Error", _error(repr(error)))

    return app


def _error(message: str) -> dict[str, Any]:
    return {"ok": False, "error": message}


def _post(
    sandbox: Sandbox,
    act: actions.Action,
    environ: dict[str, Any],
    start_response: StartResponse,
) -> list[bytes]:
    answer = act(sandbox, _read_json(environ))
    body = {"ok": True, **answer, "version": sandbox.version}
    return _json(start_response, "200 OK", body)


def _state(sandbox: Sandbox, query: dict[str, list[str]]) -> dict[str, Any]:
    # Without a user (the page's first load) the state is the first teammate's.
    user = (query.get("user") or [""])[0] or _first_teammate(sandbox)
    sandbox.check_user(user)
    since = (query.get("since") or [""])[0]
    if since:
        try:
            seen = int(since)
        except ValueError:
            raise BadInput("since: a version number") from None
        sandbox.slack.versions.wait_beyond(seen, LONG_POLL_SECONDS)
    return sandbox.state(user)


def _first_teammate(sandbox: Sandbox) -> str:
    with sandbox.slack.lock:  # a reset may be seeding the people meanwhile
        people = [uid for uid, user in sandbox.slack.users.items() if not user.get("is_bot")]
    return people[0] if people else ""


def _events(sandbox: Sandbox, start_response: StartResponse) -> Iterator[bytes]:
    headers = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")]
    start_response("200 OK", headers)
    return _stream(sandbox)


def _stream(sandbox: Sandbox) -> Iterator[bytes]:
    """The version now and after each change; a comment keeps idle connections open."""
    seen = sandbox.version
    yield f"data: {json.dumps({'version': seen})}\n\n".encode()
    while not sandbox.stopped:
        started = time.monotonic()
        version = sandbox.slack.versions.wait_beyond(seen, KEEP_ALIVE_SECONDS)
        if version > seen:
            seen = version
            yield f"data: {json.dumps({'version': seen})}\n\n".encode()
        elif time.monotonic() - started >= KEEP_ALIVE_SECONDS - 0.1:
            yield b": keep-alive\n\n"


def _static(path: str, start_response: StartResponse) -> list[bytes]:
    name = "index.html" if path == "/" else path.removeprefix("/static/")
    if path != "/" and (not path.startswith("/static/") or not _plain_name(name)):
        return _json(start_response, "404 Not Found", _error("not found"))
    resource = resources.files("bot.sandbox").joinpath("static", name)
    if not resource.is_file():
        return _json(start_response, "404 Not Found", _error("not found"))
    data = resource.read_bytes()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind.endswith("javascript"):
        kind += "; charset=utf-8"
    start_response(
        "200 OK",
        [("Content-Type", kind), ("Content-Length", str(len(data))), ("Cache-Control", "no-cache")],
    )
    return [data]


def _plain_name(name: str) -> bool:
    """Files of the static folder only: no sub-paths, no way out of it."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")
