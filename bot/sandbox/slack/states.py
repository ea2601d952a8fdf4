"""What a view_submission's `state.values` hold per element, as Slack sends them:
{block_id: {action_id: state}} with one of these as each state."""

from __future__ import annotations

from typing import Any


def plain(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A static_select; None means nothing chosen, as Slack sends it."""
    option = None if value is None else _option(value, text)
    return {"type": "static_select", "selected_option": option}


def multi(values: list[str]) -> dict[str, Any]:
    return {"type": "multi_static_select", "selected_options": [_option(v) for v in values]}


def timepicker(selected_time: str | None) -> dict[str, Any]:
    """`selected_time` as Slack sends it, "HH:mm"."""
    return {"type": "timepicker", "selected_time": selected_time}


def datepicker(selected_date: str | None) -> dict[str, Any]:
    """`selected_date` as Slack sends it, "YYYY-MM-DD"."""
    return {"type": "datepicker", "selected_date": selected_date}


def multi_users(user_ids: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": list(user_ids)}
