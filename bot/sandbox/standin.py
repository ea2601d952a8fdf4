"""The sandbox's Slack: the tests' Web API stand-in plus what a person in Slack would see.

On top of `FakeSlack` it keeps who sees what: ephemeral messages per person, each person's
modal stack (a modal opens for whoever's trigger_id the bot used), reactions per person,
and what the bot sends to a response_url (an ephemeral answer, a message in the channel, or
a change to the original message). Every change bumps `version`, which the page follows.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.base import ApiError
from bot.sandbox.slack.history import Message

# Web API calls that only read; every other recorded call may have changed what people see.
READING_PREFIXES = ("auth.", "users.", "conversations.", "chat.getPermalink")
MESSAGE_FIELDS = ("text", "blocks", "thread_ts")


@dataclass(frozen=True)
class Origin:
    """Where a response_url answers to: the person who acted, their channel, the message."""

    user_id: str
    channel_id: str
    message_ts: str | None = None


class Versions:
    """A counter of changes that readers can wait on (the page's event stream, long polls)."""

    def __init__(self) -> None:
        self._version = 0
        self._changed = threading.Condition()

    @property
    def current(self) -> int:
        with self._changed:
            return self._version

    def bump(self) -> int:
        with self._changed:
            self._version += 1
            self._changed.notify_all()
            return self._version

    def wait_beyond(self, seen: int, timeout: float) -> int:
        """The version once it is past `seen`, or the current one after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._version > seen, timeout=timeout)
            return self._version


class SandboxSlack(FakeSlack):
    """One workspace for the sandbox; state is read by `bot.sandbox.state` under `lock`."""

    def __init__(self, *, valid_tokens: set[str], **workspace: str) -> None:
        super().__init__(valid_tokens=valid_tokens, **workspace)
        self.versions = Versions()
        self.handlers["views.push"] = self._views_push
        self._clear_people_state()

    def _clear_people_state(self) -> None:
        self.ephemerals: list[Message] = []
        self.modal_stacks: dict[str, list[str]] = {}
        self.reacted: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._trigger_users: dict[str, str] = {}
        self._origins: dict[str, Origin] = {}

    @property
    def lock(self) -> threading.Condition:
        return self._condition

    def clear(self) -> None:
        """Forgets every message, view, reaction and recorded call; people and channels stay."""
        with self._condition:
            self.messages.clear()
            self.views.clear()
            self.reactions.clear()
            self._clear_people_state()
            self.reset()
        self.versions.bump()

    # -- ids the sandbox hands to the bot on a person's behalf ------------------------------

    def trigger_for(self, user_id: str) -> str:
        """A trigger_id for `user_id`: a modal the bot opens with it is that person's."""
        trigger = f"{secrets.randbelow(10**9)}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}"
        with self._condition:
            self._trigger_users[trigger] = user_id
        return trigger

    def response_url_for(self, origin: Origin) -> str:
        path = f"/hooks/sandbox/{secrets.token_hex(12)}"
        with self._condition:
            self._origins[path] = origin
        return f"{self.root_url}{path}"

    def new_ts(self) -> str:
        """A ts after every message's so far (Slack's clock only moves forward)."""
        with self._condition:
            return self._next_ts()

    # -- what people do ---------------------------------------------------------------------

    def post_as(self, user_id: str, channel_id: str, text: str, thread_ts: str | None) -> Message:
        message = self.add_message(channel_id, text, user_id, thread_ts=thread_ts)
        self.versions.bump()
        return message

    def react(self, user_id: str, channel_id: str, ts: str, name: str, on: bool) -> bool:
        """Adds or removes a person's reaction; False when that changed nothing."""
        with self._condition:
            if (channel_id, ts) not in self.messages:
                raise ApiError("message_not_found")
            by_name = self.reacted.setdefault((channel_id, ts), {})
            users = by_name.setdefault(name, [])
            if (user_id in users) == on:
                return False
            if on:
                users.append(user_id)
            else:
                users.remove(user_id)
                if not users:
                    del by_name[name]
        self.versions.bump()
        return True

    def answer_privately(self, user_id: str, channel_id: str, answer: dict[str, Any]) -> None:
        """A message only `user_id` sees (a command's answer in its acknowledgement)."""
        fields = {k: answer[k] for k in MESSAGE_FIELDS if k in answer}
        with self._condition:
            self._add_ephemeral(user_id, channel_id, self._next_ts(), fields)
        self.versions.bump()

    def close_modal(self, user_id: str, view_id: str | None = None) -> None:
        """Closes the top modal (or the whole stack down to `view_id`'s parent)."""
        with self._condition:
            stack = self.modal_stacks.get(user_id, [])
            if view_id is not None and view_id in stack:
                del stack[stack.index(view_id) :]
            elif stack:
                stack.pop()
        self.versions.bump()

    def clear_modals(self, user_id: str) -> None:
        with self._condition:
            self.modal_stacks.pop(user_id, None)
        self.versions.bump()

    def replace_top_modal(self, user_id: str, view: dict[str, Any]) -> None:
        """response_action "update": the submitted modal shows `view` instead."""
        with self._condition:
            stack = self.modal_stacks.get(user_id) or []
            if not stack:
                return
            self._store_view(view, replacing=self.views[stack[-1]])
        self.versions.bump()

    def push_modal(self, user_id: str, view: dict[str, Any]) -> None:
        """response_action "push": a new modal on top of the submitted one."""
        with self._condition:
            stored = self._store_view(view)["view"]
            self.modal_stacks.setdefault(user_id, []).append(stored["id"])
        self.versions.bump()

    # -- Web API methods that change what people see ----------------------------------------

    def _views_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        opened = super()._views_open(params, token)
        user_id = self._trigger_users.get(str(params.get("trigger_id")))
        if user_id is not None:
            self.modal_stacks[user_id] = [opened["view"]["id"]]
        return opened

    def _views_push(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        pushed = super()._views_open(params, token)
        user_id = self._trigger_users.get(str(params.get("trigger_id")))
        if user_id is not None:
            self.modal_stacks.setdefault(user_id, []).append(pushed["view"]["id"])
        return pushed

    def _chat_post_ephemeral(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        answer = super()._chat_post_ephemeral(params, token)
        fields: dict[str, Any] = {k: params[k] for k in MESSAGE_FIELDS if k in params}
        channel = self._resolve_channel(str(params["channel"]))
        self._add_ephemeral(str(params["user"]), channel, answer["message_ts"], fields)
        return answer

    def _reactions_add(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        answer = super()._reactions_add(params, token)
        key = (self._resolve_channel(str(params["channel"])), str(params.get("timestamp")))
        users = self.reacted.setdefault(key, {}).setdefault(str(params.get("name")), [])
        if self.bot_user_id not in users:
            users.append(self.bot_user_id)
        return answer

    def _add_ephemeral(self, user_id: str, channel: str, ts: str, fields: dict[str, Any]) -> None:
        author = {"user": self.bot_user_id, "bot_id": self.bot_id, "app_id": self.app_id}
        message = {"type": "message", **author, "ts": ts, "text": "", "thread_ts": None, **fields}
        self.ephemerals.append(message | {"channel": channel, "for_user": user_id})

    def _record(self, bucket: list[Any], call: Any) -> None:
        super()._record(bucket, call)
        if call.error is None and not call.method.startswith(READING_PREFIXES):
            self.versions.bump()

    # -- response_url ---------------------------------------------------------------------

    def _hook_posted(self, path: str, payload: dict[str, Any]) -> None:
        """What Slack does with a message sent to a response_url."""
        with self._condition:
            origin = self._origins.get(path)
            if origin is None:
                return
            fields: dict[str, Any] = {k: payload[k] for k in MESSAGE_FIELDS if k in payload}
            original = self._original(origin)
            if payload.get("delete_original") and original is not None:
                self._remove(original)
            elif payload.get("replace_original") and original is not None:
                original |= {k: v for k, v in fields.items() if k != "thread_ts"}
            elif payload.get("response_type") == "in_channel":
                self._store_message(origin.channel_id, fields, self.bot_user_id)
            elif fields:
                self._add_ephemeral(origin.user_id, origin.channel_id, self._next_ts(), fields)

    def _original(self, origin: Origin) -> Message | None:
        """The message a response_url belongs to: in the channel, or the person's ephemeral."""
        if origin.message_ts is None:
            return None
        found = self.messages.get((origin.channel_id, origin.message_ts))
        return found or next(
            (
                message
                for message in self.ephemerals
                if message["ts"] == origin.message_ts and message["for_user"] == origin.user_id
            ),
            None,
        )

    def _remove(self, message: Message) -> None:
        if any(kept is message for kept in self.ephemerals):
            self.ephemerals[:] = [kept for kept in self.ephemerals if kept is not message]
        else:
            self.messages = {
                key: kept for key, kept in self.messages.items() if kept is not message
            }
