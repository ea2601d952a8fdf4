"""Post once: the one protocol by which the bot creates channel messages and thread replies.

Every intended post has a key (`daily.prompt:42`, `weekly.item:7:13`, or one derived from the
Slack request being worked off), and one `slack_posts` row per key:
- a poster takes a lease on the row (another process waits for it or gives up, never posts);
- the message carries the key in its metadata, and "done" (its ts) is recorded only after Slack
  accepted it;
- Slack's error answer releases the lease: nothing was posted, the next try posts;
- a lost answer (connection dropped, timeout, the process died) leaves the attempt uncertain: the
  next try first looks for the key in the channel or thread and only posts when it is not there.
Nothing here re-sends a message-creating call blindly, and the Web API clients never retry one
after a connection error (`bot.runtime.make_web_client`).
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from storage import posts as store
from storage.db import transaction

log = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "redthread_post"
# Long enough for a post's own 429 waits; a poster that died frees the post after this.
LEASE = timedelta(minutes=2)
# How long a caller waits for another process that holds the post's lease.
WAIT_FOR_OTHER_SECONDS = 10.0
# Slack's clock and ours differ a little; look this far before the first attempt.
LOOK_BACK = timedelta(minutes=2)
HISTORY_PAGES = 5


class PostPending(Exception):
    """Another process is posting this right now and has not finished: try again later."""


@dataclass(frozen=True)
class Message:
    channel_id: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None


@dataclass
class _RequestScope:
    key: str
    counts: dict[str, int] = field(default_factory=dict)


_current_request: contextvars.ContextVar[_RequestScope | None] = contextvars.ContextVar(
    "redthread_current_request", default=None
)


def request_scope(request_key: str) -> contextvars.Token[_RequestScope | None]:
    """While a Slack request is worked off, posts without a natural key derive theirs from it,
    so working the same request off again (after a crash) finds the same keys."""
    return _current_request.set(_RequestScope(request_key))


def end_request_scope(token: contextvars.Token[_RequestScope | None]) -> None:
    _current_request.reset(token)


def request_effect_key(purpose: str) -> str | None:
    """A key for the n-th row of this purpose the request being worked off creates
    (`storage.effects.created_once`); None outside a Slack request (CLI, clock, sandbox seed)."""
    if _current_request.get() is None:
        return None
    return request_post_key(f"effect:{purpose}")


def request_post_key(purpose: str) -> str:
    """A key for the n-th post of this purpose in the request being worked off.

    Outside a request (CLI, clock) every call is new: such callers pass natural keys instead.
    """
    scope = _current_request.get()
    if scope is None:
        raise RuntimeError(f"{purpose}: a request-scoped post outside a Slack request")
    number = scope.counts.get(purpose, 0) + 1
    scope.counts[purpose] = number
    digest = hashlib.sha256(f"{scope.key}|{purpose}|{number}".encode()).hexdigest()[:32]
    return f"{purpose}:{digest}"


def post_once(runtime: Runtime, client: WebClient, team_id: str, key: str, message: Message) -> str:
    """Post `message` unless the post with this key exists; returns its ts either way."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_SECONDS
    now = runtime.now()
    # Most posts are new: one statement takes them. A row found means another attempt came
    # first (done, under way, or lost): that is settled on the locked row.
    new = store.take_new_post(
        runtime.engine, team_id, key, message.channel_id, message.thread_ts, now, now + LEASE
    )
    if new is not None:
        return _post_taken(runtime, client, key, message, new)
    while True:
        now = runtime.now()
        with transaction(runtime.sessions) as session:
            state = store.take_post(
                session, team_id, key, message.channel_id, message.thread_ts, now, now + LEASE
            )
        if state.ts is not None:
            return state.ts
        if state.taken:
            return _post_taken(runtime, client, key, message, state)
        if time.monotonic() > deadline:
            raise PostPending(key)
        time.sleep(0.1)


def _post_taken(
    runtime: Runtime, client: WebClient, key: str, message: Message, state: store.PostState
) -> str:
    try:
        ts = None
        if state.look_first:
            ts = find_posted(client, message, key, state.first_attempt_at or runtime.now())
            if ts:
                log.info("post %s was already out (answer lost earlier); not posting again", key)
        if ts is None:
            ts = _send(client, key, message)
    except SlackApiError:
        _release(runtime, state.post_id, uncertain=False)
        raise
    except BaseException:
        _release(runtime, state.post_id, uncertain=True)
        raise
    store.record_posted(runtime.engine, state.post_id, ts)
    return ts


def _send(client: WebClient, key: str, message: Message) -> str:
    response = client.chat_postMessage(
        channel=message.channel_id,
        thread_ts=message.thread_ts,
        text=message.text,
        blocks=message.blocks,
        # User text may hold prospects' URLs: never unfurl.
        unfurl_links=False,
        unfurl_media=False,
        metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": key}},
    )
    return str(response["ts"])


def _release(runtime: Runtime, post_id: int, *, uncertain: bool) -> None:
    try:
        store.release_post(runtime.engine, post_id, uncertain=uncertain)
    except Exception:
        # The lease runs out by itself; the failure that brought us here is what matters.
        log.exception("could not release post %s", post_id)


def find_posted(
    client: WebClient, message: Message, key: str, first_attempt_at: datetime
) -> str | None:
    """The ts of the bot's message carrying `key`, looked up where it would have gone."""
    for found in _messages_where_posted(client, message, first_attempt_at - LOOK_BACK):
        metadata = found.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_EVENT_TYPE
            and (metadata.get("event_payload") or {}).get("key") == key
        ):
            return str(found["ts"])
    return None


def _messages_where_posted(
    client: WebClient, message: Message, since: datetime
) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        if message.thread_ts:
            page = client.conversations_replies(
                channel=message.channel_id,
                ts=message.thread_ts,
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
        else:
            page = client.conversations_history(
                channel=message.channel_id,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return
