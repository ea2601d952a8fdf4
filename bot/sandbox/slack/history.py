"""Channel messages as Slack keeps them: posting, editing and deleting them, and reading them back
with conversations.history and conversations.replies, message metadata included.

`messages` holds each message as it was posted, keyed by (channel, ts). What a listing adds to a
message (reply_count, latest_reply, parent_user_id…) is worked out when listing, so tests that read
`messages` directly keep seeing exactly what the app sent.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.sandbox.slack.base import FIRST_TS, ApiError, Rejected, truthy

Message = dict[str, Any]

# Slack's defaults: history pages hold 100 messages, a thread comes in pages of 1000.
HISTORY_DEFAULT_LIMIT = 100
REPLIES_DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
# Slack's cursors are base64 of "next_ts:<ts>"; ours point at the first message of the next page.
CURSOR_PREFIX = "next_ts:"
# The fields of chat.postMessage that become part of the message.
POSTED_FIELDS = ("text", "blocks", "attachments", "thread_ts", "metadata")
EDITABLE_FIELDS = ("text", "blocks", "attachments", "metadata")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _ts_value(ts: Any) -> Decimal:
    """ts strings compare exactly as decimals; floats would merge neighbours a microsecond apart."""
    return Decimal(str(ts))


def _ts_string(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _key_of(message: Message) -> str | None:
    """The post-once key the app puts in `metadata.event_payload.key`, if any."""
    metadata = message.get("metadata")
    payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
    key = payload.get("key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) else None


def _check_metadata(metadata: Any) -> None:
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise Rejected(
            "invalid_metadata_format",
            f"metadata must be {{event_type: str, event_payload: object}}, got {metadata!r}",
        )


def _is_top_level(message: Message) -> bool:
    """Thread replies stay out of the channel's history unless they were broadcast."""
    thread_ts = message.get("thread_ts")
    return thread_ts in (None, message["ts"]) or message.get("subtype") == "thread_broadcast"


def _bound(params: dict[str, Any], name: str) -> Decimal | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        bound = _ts_value(value)
    except InvalidOperation:
        raise ApiError(f"invalid_ts_{name}") from None
    if not bound.is_finite():
        raise ApiError(f"invalid_ts_{name}")
    return bound


def _in_window(messages: list[Message], params: dict[str, Any]) -> list[Message]:
    """Messages between `oldest` and `latest`, which only count themselves with `inclusive`."""
    oldest, latest = _bound(params, "oldest"), _bound(params, "latest")
    inclusive = truthy(params.get("inclusive"))

    def inside(message: Message) -> bool:
        ts = _ts_value(message["ts"])
        after_oldest = oldest is None or ts > oldest or (inclusive and ts == oldest)
        before_latest = latest is None or ts < latest or (inclusive and ts == latest)
        return after_oldest and before_latest

    return [message for message in messages if inside(message)]


def _limit(params: dict[str, Any], default: int) -> int:
    try:
        limit = int(params.get("limit") or default)
    except (TypeError, ValueError):
        raise Rejected(
            "invalid_arguments", f"limit must be a number: {params['limit']!r}"
        ) from None
    return min(limit if limit > 0 else default, MAX_LIMIT)


def _page(
    ordered: list[Message], params: dict[str, Any], default_limit: int, *, newest_first: bool
) -> tuple[list[Message], str]:
    """One page of `ordered` from the cursor on, and the cursor of the next page ("" at the end).

    A cursor names the ts the next page starts at, not a position, so messages deleted between
    two pages do not shift what the next page shows.
    """
    start = 0
    if params.get("cursor"):
        try:
            decoded = base64.b64decode(str(params["cursor"]), validate=True).decode()
            if not decoded.startswith(CURSOR_PREFIX):
                raise ValueError(decoded)
            resume = _ts_value(decoded[len(CURSOR_PREFIX) :])
        except (ValueError, binascii.Error, InvalidOperation):
            raise ApiError("invalid_cursor") from None

        def not_yet_shown(message: Message) -> bool:
            ts = _ts_value(message["ts"])
            return ts <= resume if newest_first else ts >= resume

        start = next((i for i, m in enumerate(ordered) if not_yet_shown(m)), len(ordered))
    limit = _limit(params, default_limit)
    page, rest = ordered[start : start + limit], ordered[start + limit :]
    cursor = base64.b64encode(f"{CURSOR_PREFIX}{rest[0]['ts']}".encode()).decode() if rest else ""
    return page, cursor


class _Threads:
    """The replies of every thread in one channel, for what a listing says about them."""

    def __init__(self, channel_messages: list[Message]) -> None:
        self.by_ts = {message["ts"]: message for message in channel_messages}
        self.replies: dict[str, list[Message]] = defaultdict(list)
        for message in channel_messages:
            thread_ts = message.get("thread_ts")
            if thread_ts not in (None, message["ts"]):
                self.replies[str(thread_ts)].append(message)

    def listed(self, message: Message, include_metadata: bool) -> Message:
        """The message as a listing shows it; metadata only when the caller asked for it."""
        shown = {k: v for k, v in message.items() if include_metadata or k != "metadata"}
        replies = self.replies.get(message["ts"])
        if replies:
            reply_users = list(dict.fromkeys(str(reply.get("user")) for reply in replies))
            shown |= {"thread_ts": message["ts"], "reply_count": len(replies)}
            shown |= {"reply_users": reply_users, "reply_users_count": len(reply_users)}
            shown |= {"latest_reply": replies[-1]["ts"]}
        parent = self.by_ts.get(str(message.get("thread_ts")))
        if parent is not None and parent is not message:
            shown["parent_user_id"] = parent.get("user")
        return shown


class ChannelMessages:
    """Messages and their listings; mixed into Workspace, which provides what is declared here."""

    team_id: str
    bot_user_id: str
    bot_id: str
    app_id: str
    channels: dict[str, dict[str, Any]]
    _condition: threading.Condition
    _channel: Callable[..., str]
    _resolve_channel: Callable[[str], str]

    def __init__(self) -> None:
        self.messages: dict[tuple[str, str], Message] = {}
        self._ts_clock: Callable[[], datetime] | None = None
        self._last_ts_micros = FIRST_TS * 1_000_000

    # -- for tests --------------------------------------------------------------------------

    def message(self, channel: str, ts: str) -> Message | None:
        """The current version of a message (after any chat.update), as stored."""
        with self._condition:
            return self.messages.get((self._resolve_channel(channel), ts))

    def add_message(
        self,
        channel: str,
        text: str,
        user: str,
        *,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        """Stores a message as if `user` had posted it (the bot's user ID: as the bot did)."""
        fields: Message = {"text": text}
        if thread_ts is not None:
            fields["thread_ts"] = thread_ts
        if metadata is not None:
            _check_metadata(metadata)
            fields["metadata"] = metadata
        with self._condition:
            return dict(self._store_message(self._resolve_channel(channel), fields, user))

    def follow_clock(self, clock: Callable[[], datetime] | None) -> None:
        """New messages get ts just after `clock()` (the app's frozen clock, say) instead of
        counting up from 24 Nov 2025, so the app finds them with `oldest=<when it posted>`."""
        with self._condition:
            self._ts_clock = clock

    def messages_with_key(self, channel: str | None = None) -> dict[str, list[Message]]:
        """Current messages by their metadata `event_payload.key`, oldest first; each is a copy
        with its `channel` added. Deleted messages are gone from here, as from Slack."""
        wanted = None if channel is None else self._resolve_channel(channel)
        found: dict[str, list[Message]] = defaultdict(list)
        with self._condition:
            stored = sorted(self.messages.items(), key=lambda item: _ts_value(item[0][1]))
            for (where, _ts), message in stored:
                key = _key_of(message)
                if key is not None and wanted in (None, where):
                    found[key].append({**message, "channel": where})
        return dict(found)

    def doubled_keys(self, channel: str | None = None) -> dict[str, int]:
        """Keys that more than one current message carries, with how many carry each."""
        with_key = self.messages_with_key(channel)
        return {key: len(found) for key, found in with_key.items() if len(found) > 1}

    def missing_keys(self, expected: Iterable[str], channel: str | None = None) -> set[str]:
        """Which of the `expected` keys no current message carries: the posts that were lost."""
        return set(expected) - self.messages_with_key(channel).keys()

    def thread_listing(self, channel: str) -> list[Message]:
        """The channel's top-level messages oldest first, as conversations.history lists them
        (no metadata), each with `replies`: its thread replies oldest first, listed the same."""
        with self._condition:
            everything = self._channel_messages(self._resolve_channel(channel))
            threads = _Threads(everything)
            return [
                threads.listed(message, False)
                | {
                    "replies": [
                        threads.listed(reply, False)
                        for reply in threads.replies.get(message["ts"], [])
                    ]
                }
                for message in everything
                if _is_top_level(message)
            ]

    # -- storage (called with the lock held) ------------------------------------------------

    def _next_ts(self) -> str:
        """Unique and rising, as Slack's; just after the followed clock's now if there is one."""
        following = 0
        if self._ts_clock is not None:
            following = (self._ts_clock() - EPOCH) // MICROSECOND
        self._last_ts_micros = max(following, self._last_ts_micros) + 100
        return _ts_string(self._last_ts_micros)

    def _store_message(self, channel: str, fields: Message, user: str) -> Message:
        author: Message = {"user": user}
        if user == self.bot_user_id:
            author |= {"bot_id": self.bot_id, "app_id": self.app_id}
        message: Message = {"type": "message", **author, "ts": self._next_ts()}
        message |= {"team": self.team_id, **fields}
        message.setdefault("text", "")
        self.messages[(channel, message["ts"])] = message
        return message

    def _check_message(self, params: dict[str, Any]) -> None:
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise Rejected("no_text", "a message needs text, blocks or attachments")
        if len(params.get("blocks") or []) > 50:
            raise Rejected("invalid_blocks", "messages take at most 50 blocks")
        if "metadata" in params:
            _check_metadata(params["metadata"])

    def _readable_channel(self, params: dict[str, Any]) -> str:
        """A channel the fake knows: registered, a DM, or one something was posted to."""
        channel = self._channel(params)
        posted_to = any(where == channel for where, _ts in self.messages)
        if channel not in self.channels and not channel.startswith("D") and not posted_to:
            raise ApiError("channel_not_found")
        return channel

    def _channel_messages(self, channel: str) -> list[Message]:
        """Oldest first."""
        found = [message for (where, _ts), message in self.messages.items() if where == channel]
        return sorted(found, key=lambda message: _ts_value(message["ts"]))

    # -- method implementations (called with the lock held) ---------------------------------

    def _chat_post_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_message(params)
        fields = {key: params[key] for key in POSTED_FIELDS if key in params}
        if params.get("thread_ts") and truthy(params.get("reply_broadcast")):
            fields["subtype"] = "thread_broadcast"
        message = self._store_message(channel, fields, self.bot_user_id)
        return {"channel": channel, "ts": message["ts"], "message": dict(message)}

    def _chat_update(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_message(params)
        message = self.messages.get((channel, str(params.get("ts"))))
        if message is None:
            raise ApiError("message_not_found")
        for key in EDITABLE_FIELDS:
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": message,
        }

    def _chat_delete(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        if self.messages.pop((channel, str(params.get("ts"))), None) is None:
            raise ApiError("message_not_found")
        return {"channel": channel, "ts": params["ts"]}

    def _conversations_history(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        """The channel's top-level messages, newest first."""
        channel = self._readable_channel(params)
        everything = self._channel_messages(channel)
        top_level = _in_window([m for m in everything if _is_top_level(m)], params)
        page, cursor = _page(top_level[::-1], params, HISTORY_DEFAULT_LIMIT, newest_first=True)
        threads = _Threads(everything)
        include_metadata = truthy(params.get("include_all_metadata"))
        return {
            "messages": [threads.listed(message, include_metadata) for message in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        """The parent, then its replies oldest first; later pages leave the parent out."""
        channel = self._readable_channel(params)
        if not params.get("ts"):
            raise Rejected("invalid_arguments", "missing required argument 'ts'")
        parent = self.messages.get((channel, str(params["ts"])))
        if parent is None:
            raise ApiError("thread_not_found")
        threads = _Threads(self._channel_messages(channel))
        replies = _in_window(threads.replies.get(parent["ts"], []), params)
        page, cursor = _page([parent, *replies], params, REPLIES_DEFAULT_LIMIT, newest_first=False)
        include_metadata = truthy(params.get("include_all_metadata"))
        return {
            "messages": [threads.listed(message, include_metadata) for message in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }
