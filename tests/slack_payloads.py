"""Slack's requests as the driver builds them, kept instead of sent, to be taken apart by tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from bot.sandbox.slack import Response, SlackDriver, multi, plain, select, timepicker

JSON = "application/json"
CHANNEL = "C0001"
TEAM = "T0001"
# Where a captured request's respond() would go: a closed port, never the real Slack.
NOWHERE = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Payload:
    """What the driver would have sent: the parsed body Bolt sees, and how it travels."""

    content: dict[str, Any]
    content_type: str
    as_interactivity: bool

    def without(self, dotted_path: str) -> dict[str, Any]:
        """A copy of the content without one field, e.g. "event.item.channel"."""
        content = copy.deepcopy(self.content)
        *parents, leaf = dotted_path.split(".")
        holder = content
        for key in parents:
            holder = holder[int(key)] if isinstance(holder, list) else holder[key]
        del holder[leaf]
        return content

    def encode(self, content: dict[str, Any] | None = None) -> bytes:
        """The body as Slack sends it: JSON, a form, or a form with one JSON `payload`."""
        content = self.content if content is None else content
        if self.content_type == JSON:
            return json.dumps(content).encode()
        if self.as_interactivity:
            return urlencode({"payload": json.dumps(content)}).encode()
        return urlencode(content).encode()


class _CapturingDriver(SlackDriver):
    def __init__(self) -> None:
        super().__init__(NOWHERE, "unused", team_id=TEAM, response_url_base=NOWHERE)
        self.captured: Payload | None = None

    def _send(
        self,
        body: bytes,
        content_type: str,
        sent: dict[str, Any],
        extra_headers: dict[str, str] | None = None,
    ) -> Response:
        # A copy: the driver shares the caller's element states, which tests take apart.
        self.captured = Payload(copy.deepcopy(sent), content_type, body.startswith(b"payload="))
        return Response(200, "", None, 0.0, sent=sent)


def payload_of(send: Callable[[SlackDriver], object]) -> Payload:
    """The request `send` would have made, e.g. `payload_of(lambda s: s.command("/daily"))`."""
    driver = _CapturingDriver()
    send(driver)
    assert driver.captured is not None
    return driver.captured


def daily_command(text: str = "today: call ACME") -> Payload:
    return payload_of(lambda slack: slack.command("/daily", text))


def event(**fields: Any) -> Payload:
    return payload_of(lambda slack: slack.event(fields))


def message_event() -> Payload:
    return event(type="message", channel=CHANNEL, user="U0001", text="hi", ts="1.000001")


def member_joined() -> Payload:
    return event(type="member_joined_channel", channel=CHANNEL, user="UBOT", team=TEAM)


def channel_left() -> Payload:
    return event(type="channel_left", channel=CHANNEL, actor_id="U0001")


def reaction_added(item_type: str = "message") -> Payload:
    item = {"type": "message", "channel": CHANNEL, "ts": "1.000001"}
    if item_type != "message":
        item = {"type": item_type, "file": "F0001"}  # files have no channel
    return event(type="reaction_added", user="U0001", reaction="eyes", item=item)


def button_click() -> Payload:
    return payload_of(lambda slack: slack.block_action("daily_open_modal"))


def modal_submission() -> Payload:
    return payload_of(lambda slack: slack.view_submission("daily_update", {"today": {"t": "x"}}))


def message_shortcut() -> Payload:
    message = {"type": "message", "user": "U0002", "text": "Agenda?", "ts": "1.000001"}
    return payload_of(lambda slack: slack.message_shortcut("weekly_add_message", message))


def daily_settings() -> Payload:
    values = {
        "weekdays": {"value": {"type": "checkboxes", "selected_options": [{"value": "1"}]}},
        "prompt_at": {"value": timepicker("08:30")},
        "timezone": {"value": plain("Europe/Berlin")},
        "language": {"value": select("de")},
    }
    metadata = json.dumps({"channel": CHANNEL})
    return payload_of(
        lambda slack: slack.view_submission("daily_settings", values, private_metadata=metadata)
    )


def weekly_settings() -> Payload:
    values = {
        "weekday": {"value": select("1")},
        "at": {"value": timepicker("09:30")},
        "categories": {"value": multi(["deals", "leads"])},
        "timezone": {"value": plain("Europe/Berlin")},
    }
    metadata = json.dumps({"channel": CHANNEL})
    return payload_of(
        lambda slack: slack.view_submission("weekly_settings", values, private_metadata=metadata)
    )


def url_verification() -> Payload:
    return payload_of(lambda slack: slack.url_verification("challenge-1"))


ALL_KINDS: dict[str, Callable[[], Payload]] = {
    "slash command": daily_command,
    "message event": message_event,
    "member_joined_channel": member_joined,
    "channel_left": channel_left,
    "reaction to a message": reaction_added,
    "reaction to a file": lambda: reaction_added("file"),
    "block_actions": button_click,
    "view_submission": modal_submission,
    "daily settings": daily_settings,
    "weekly settings": weekly_settings,
    "message_action": message_shortcut,
    "url_verification": url_verification,
}
# Each field a listener needs, by the request it is taken from.
NEEDED_FIELDS: dict[str, tuple[Callable[[], Payload], str]] = {
    "slash command without user_id": (daily_command, "user_id"),
    "slash command without team_id": (daily_command, "team_id"),
    "slash command without channel_id": (daily_command, "channel_id"),
    "slash command without command": (daily_command, "command"),
    "message event without channel": (message_event, "event.channel"),
    "member_joined_channel without channel": (member_joined, "event.channel"),
    "channel_left without channel": (channel_left, "event.channel"),
    "reaction_added without item.channel": (reaction_added, "event.item.channel"),
    "reaction_added without item": (reaction_added, "event.item"),
    "event without event_id": (message_event, "event_id"),
    "event without type": (message_event, "event.type"),
    "block_actions without user.id": (button_click, "user.id"),
    "block_actions without action_id": (button_click, "actions.0.action_id"),
    "view_submission without user.id": (modal_submission, "user.id"),
    "view_submission without callback_id": (modal_submission, "view.callback_id"),
    "view_submission without state": (modal_submission, "view.state"),
    "settings modal without its answers": (daily_settings, "view.state.values"),
    "message_action without user.id": (message_shortcut, "user.id"),
}


# -- Slack's payloads broken at random -----------------------------------------------------------

_KEYS_READ = st.sampled_from(
    [
        "type",
        "event",
        "event_id",
        "team_id",
        "authorizations",
        "user",
        "team",
        "id",
        "channel",
        "item",
        "actions",
        "action_id",
        "view",
        "callback_id",
        "state",
        "values",
        "command",
        "selected_option",
        "selected_options",
        "value",
        "private_metadata",
        "ssl_check",
    ]
)
# Any JSON value, with objects leaning towards the keys the checks and listeners read.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | _KEYS_READ,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS_READ | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=30,
)


@st.composite
def broken_payloads(draw: st.DrawFn) -> tuple[Payload, Any]:
    """One of Slack's payloads with one to three of its parts replaced by any JSON."""
    payload = ALL_KINDS[draw(st.sampled_from(sorted(ALL_KINDS)))]()
    content: Any = payload.content
    for _ in range(draw(st.integers(1, 3))):
        content = _replace_somewhere(content, draw(st.integers(0, 10_000)), draw(JSON_VALUES))
    return payload, content


def _replace_somewhere(value: Any, position: int, new: object) -> Any:
    slots = list(_slots_of(value))
    if not slots:
        return new
    holder, key = slots[position % len(slots)]
    holder[key] = new
    return value


def _slots_of(value: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) for every part of a JSON value, depth first."""
    items: Iterable[tuple[Any, Any]] = ()
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, child in items:
        yield value, key
        yield from _slots_of(child)
