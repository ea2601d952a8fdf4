"""Whether a parsed Slack request holds what Bolt's matching and the listeners need.

Pure: no Bolt, no database. Slack always sends these fields; a signed request without them is
malformed and answered 400, rather than half-handled (a 500, or rows stored with team_id '').
Verdicts name the missing field, never a value, so they are safe to log.
"""

from __future__ import annotations

from typing import Any

SLASH_COMMAND_FIELDS = ("command", "team_id", "user_id", "channel_id")
# Where the event types the bot listens to name their channel.
EVENT_CHANNEL_PATHS: dict[str, tuple[str, ...]] = {
    "message": ("channel",),
    "member_joined_channel": ("channel",),
    "channel_left": ("channel",),
    "group_left": ("channel",),
    "reaction_added": ("item", "channel"),
    "reaction_removed": ("item", "channel"),
}
# The interactivity payloads the bot handles, and what Bolt reads to pick their listener
# (absent or not text, that fails inside Bolt with a 500).
INTERACTIVITY_MATCHED_ON: dict[str, tuple[str | int, ...]] = {
    "block_actions": ("actions", 0, "action_id"),
    "view_submission": ("view", "callback_id"),
    "message_action": ("callback_id",),
    "shortcut": ("callback_id",),
}


def missing_field(body: object) -> str | None:
    """What a request lacks ("slash command: user_id"), or None when it has what it needs.

    Types no listener handles pass: Bolt answers them. Never raises, whatever JSON it is given.
    """
    if not isinstance(body, dict) or not body:
        return "body: not a JSON object with fields"
    if body.get("type") == "url_verification" or body.get("ssl_check") == "1":
        return None  # Bolt answers these itself, before any listener
    kind = _text(body, "type")
    if "command" not in body and not kind:
        return "body: neither a slash command nor a typed payload"
    # Bolt takes any body with a `command` for a slash command, whatever its type.
    if "command" in body and (problem := _slash_command(body)):
        return problem
    if kind == "event_callback":
        return _event_callback(body)
    if kind in INTERACTIVITY_MATCHED_ON:
        return _interactivity(body, kind)
    return None


def _slash_command(body: dict[str, Any]) -> str | None:
    for field in SLASH_COMMAND_FIELDS:
        if not _text(body, field):
            return f"slash command: {field}"
    return None


def _event_callback(body: dict[str, Any]) -> str | None:
    if not _text(body, "event_id"):
        return "event: event_id"
    if not (_text(body, "team_id") or _text(body, "authorizations", 0, "team_id")):
        return "event: team_id"
    event_type = _text(body, "event", "type")
    if not event_type:
        return "event: event.type"
    channel_path = EVENT_CHANNEL_PATHS.get(event_type)
    if channel_path is None:
        return None
    event = body["event"]
    if channel_path[0] == "item":
        if not isinstance(event.get("item"), dict):
            return f"{event_type} event: event.item"
        # A reaction to a file has no channel; the listener reads reactions to messages only.
        if event["item"].get("type") != "message":
            return None
    if not _text(event, *channel_path):
        return f"{event_type} event: event.{'.'.join(channel_path)}"
    return None


def _interactivity(body: dict[str, Any], kind: str) -> str | None:
    if not _text(body, "user", "id"):
        return f"{kind}: user.id"
    if not (_text(body, "team", "id") or _text(body, "user", "team_id")):
        return f"{kind}: team.id"
    matched_on = INTERACTIVITY_MATCHED_ON[kind]
    if not _text(body, *matched_on):
        return f"{kind}: {'.'.join(str(step) for step in matched_on)}"
    if kind == "view_submission" and not _is_modal_answer(body["view"]):
        return f"{kind}: view.state.values"
    return None


# A modal's answers are checked in the ack, where a surprise would be a 500, not a message.
_TEXT_ANSWERS = ("value", "selected_time", "selected_date")


def _is_modal_answer(view: dict[str, Any]) -> bool:
    """view.state.values as Slack sends it: {block_id: {action_id: element state}}."""
    if not isinstance(view.get("private_metadata", ""), str):
        return False
    state = view.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("values"), dict):
        return False
    return all(
        isinstance(actions, dict) and all(_is_element_state(item) for item in actions.values())
        for actions in state["values"].values()
    )


def _is_element_state(element: Any) -> bool:
    if not isinstance(element, dict):
        return False
    if not all(isinstance(element.get(key), str | None) for key in _TEXT_ANSWERS):
        return False
    chosen = element.get("selected_option")
    options = element.get("selected_options") or []
    return (chosen is None or _is_option(chosen)) and (
        isinstance(options, list) and all(_is_option(option) for option in options)
    )


def _is_option(option: Any) -> bool:
    return isinstance(option, dict) and isinstance(option.get("value"), str)


def _text(value: Any, *path: str | int) -> str | None:
    """The non-empty string at `path` (keys of objects, indexes of arrays), or None."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
            value = value[step]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value if isinstance(value, str) and value else None
