"""Small Block Kit builders shared by every pillar's rendering."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any

from babel.dates import get_day_names

from bot.text import neutralise_plain, truncate

Block = dict[str, Any]
# Slack rejects section text over 3,000 characters; stay below with room for markup.
SECTION_LIMIT = 2900
MAX_BLOCKS = 50


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, SECTION_LIMIT)}}


def sections(lines: Iterable[str]) -> list[Block]:
    """Pack lines into as few sections as the size limit allows (a long report stays short)."""
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, SECTION_LIMIT)
        if current and size + len(line) + 1 > SECTION_LIMIT:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, 2000)}]}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(neutralise_plain(text), limit), "emoji": True}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def limit_blocks(blocks: list[Block]) -> list[Block]:
    return blocks[:MAX_BLOCKS]


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def weekday_options(language: str) -> list[dict[str, Any]]:
    """Monday (value "0") to Sunday, named in the language."""
    day_names = get_day_names("wide", locale=language)
    return [option(str(day_names[day]), str(day)) for day in range(7)]


def timepicker_input(block_id: str, label: str, value: time) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {
            "type": "timepicker",
            "action_id": "value",
            "initial_time": value.strftime("%H:%M"),
        },
    }


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    multiline: bool = True,
    optional: bool = False,
    max_length: int = 3000,
    placeholder: str | None = None,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, 2000),
        "element": element,
    }


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str,
    close: str,
    private_metadata: str = "",
) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain(close, 24),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def input_value(values: dict[str, Any], block_id: str) -> Any:
    """The value of one input in a view_submission's state, whatever the element type."""
    element = values.get(block_id, {}).get("value", {})
    kind = element.get("type")
    if kind == "plain_text_input":
        return element.get("value")
    if kind in ("static_select", "radio_buttons"):
        selected = element.get("selected_option")
        return selected["value"] if selected else None
    if kind in ("checkboxes", "multi_static_select"):
        return [item["value"] for item in element.get("selected_options") or []]
    if kind == "timepicker":
        return element.get("selected_time")
    return element.get("value")
