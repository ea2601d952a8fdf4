"""The ack's fast path: a request whose ack says nothing is stored and answered before Bolt.

Most of the CPU of an ack went into Bolt (the request object, the context, authorization and
matching over every listener) while the ack itself says nothing: the inbox listeners answer an
empty 200 and work after it. So `bot.server` asks `FastAck` first, once the guard verified the
signature and parsed the body: a request it may take is stored with the one insert (the same
row and key as an inbox listener's, its listener `BOLT_ROUTED`) and answered 200 at once. The
inbox worker (or, without one, this process after the ack) then runs the stored body through
the real Bolt app, where the inbox listener that matches works it off (`Inbox.dispatch_stored`).

Anything whose ack may say something, or which Bolt might not hand to a listener, takes the
usual way through Bolt: modals (a validation error is answered in the ack), shortcuts,
url_verification, direct messages (their text must not be stored), app_uninstalled and
tokens_revoked (their authorization must happen now, not after the tokens are gone), events
of the bot's own (Bolt ignores those), anything of a workspace Bolt has not
authorized in this process within `KNOWN_FOR_SECONDS`, and every request whose insert failed
(the inbox listener then decides what the person is told, or that the event is not acked).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import extract_user_id

from bot.daily.render import OPEN_MODAL_ACTION, WELCOME_OFF_ACTION, WELCOME_SETTINGS_ACTION
from bot.home.render import CARD_ACTION
from handlers.common import user_of, workspace_id
from handlers.inbox import BOLT_ROUTED, Inbox, request_key
from storage.inbox import StoredRequest

log = logging.getLogger(__name__)

# What the inbox listeners registered in `handlers/` take, whose acks carry nothing.
# tests/test_fast_ack.py checks each against the real app's listeners.
FAST_COMMANDS = frozenset({"/daily", "/weekly", "/prospect", "/board"})
FAST_ACTIONS = frozenset(
    {OPEN_MODAL_ACTION, WELCOME_SETTINGS_ACTION, WELCOME_OFF_ACTION, CARD_ACTION}
)
FAST_EVENTS = frozenset(
    {
        "message",
        "member_joined_channel",
        "channel_left",
        "group_left",
        "app_home_opened",
        "reaction_added",
        "reaction_removed",
    }
)
# How long Bolt's authorization of a workspace in this process vouches for its requests.
KNOWN_FOR_SECONDS = 600.0


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in a workspace, as Bolt's authorization found it."""

    user_id: str | None
    bot_id: str | None


def takes_fast_path(body: dict[str, Any], bot: BotIdentity) -> bool:
    """Whether an inbox listener that acks with nothing would take this request in Bolt.

    Pure; `body` passed `bot.request_shape.missing_field`.
    Never raises, whatever `body` holds: what it does not know goes to Bolt.
    """
    if "command" in body:
        return _one_of(body.get("command"), FAST_COMMANDS)
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else None
        return isinstance(first, dict) and _one_of(first.get("action_id"), FAST_ACTIONS)
    if kind != "event_callback":
        return False
    event = body.get("event")
    if not isinstance(event, dict) or not _one_of(event.get("type"), FAST_EVENTS):
        return False
    if event.get("channel_type") == "im":
        return False
    return not _may_be_the_bots_own(body, event, bot)


def _one_of(value: object, names: frozenset[str]) -> bool:
    return isinstance(value, str) and value in names


def _may_be_the_bots_own(body: dict[str, Any], event: dict[str, Any], bot: BotIdentity) -> bool:
    """Bolt's `IgnoringSelfEvents` rule (it keeps member_joined_channel, the bot's own too);
    True also where Bolt's reading of the user would fail (Bolt then answers that)."""
    if event.get("type") == "member_joined_channel":
        return False
    try:
        user_id = extract_user_id(body)
    except Exception:
        return True
    bot_id = event.get("bot_id")
    return (user_id is not None and user_id == bot.user_id) or (
        bot_id is not None and bot_id == bot.bot_id
    )


def stored_request(body: dict[str, Any], text: str, timestamp: str) -> StoredRequest:
    """The row an inbox listener would have stored, but for Bolt's context (rebuilt later)."""
    return StoredRequest(
        team_id=workspace_id(body),
        request_key=request_key(body, {"x-slack-request-timestamp": [timestamp]}, text),
        listener=BOLT_ROUTED,
        user_id=user_of(body),
        body=json.dumps(body, separators=(",", ":")),
        context="{}",
    )


class KnownWorkspaces:
    """Workspaces Bolt authorized lately in this process, with the bot's identity there."""

    def __init__(self, known_for: float = KNOWN_FOR_SECONDS) -> None:
        self._known_for = known_for
        self._bots: dict[str, tuple[BotIdentity, float]] = {}
        self._lock = threading.Lock()

    def learn(self, team_id: str, bot: BotIdentity) -> None:
        with self._lock:
            self._bots[team_id] = (bot, time.monotonic() + self._known_for)

    def bot_in(self, team_id: str) -> BotIdentity | None:
        known = self._bots.get(team_id)
        if known is None or known[1] < time.monotonic():
            return None
        return known[0]


class FastAck:
    """In a web process: takes the requests it may (see the module), stores and hands them on."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox
        self.known = KnownWorkspaces()

    def acked(self, body: dict[str, Any], text: str, timestamp: str) -> bool:
        """True when the request is stored (or was seen before) and may be answered 200."""
        try:
            bot = self.known.bot_in(workspace_id(body))
            if bot is None or not takes_fast_path(body, bot):
                return False
            request = stored_request(body, text, timestamp)
        except Exception:  # a body the guard let pass but no listener could read: Bolt's
            return False
        try:
            request_id = self._inbox.store_new(request)
        except Exception as error:  # the inbox listener tries again and answers accordingly
            log.warning("fast ack: could not store the request: %s", type(error).__name__)
            return False
        if request_id is None:
            log.info("%s seen before; not doing it again", request.request_key)
        else:
            self._inbox.hand_on_for_bolt(request_id, body)
        return True

    def learn(self, body: dict[str, Any], authorized: Any) -> None:
        """After Bolt answered a request: what its authorization found (None: nothing)."""
        try:
            team_id = workspace_id(body)
        except Exception:  # read as `acked` reads it: never taken, nothing to learn
            return
        if authorized is not None and team_id:
            self.known.learn(
                team_id, BotIdentity(authorized.get("bot_user_id"), authorized.get("bot_id"))
            )
