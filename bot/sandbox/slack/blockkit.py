"""Block Kit limits the fake checks on every view, so a view Slack would refuse fails a test.

Slack refuses a whole view (`invalid_blocks`, `view_too_large`) when one element breaks a
limit; the Home then keeps spinning. The limits are Slack's published Block Kit reference
(blocks, block elements, composition objects); only what our views use is checked in depth,
and anything unknown is refused rather than waved through.
"""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.slack.base import Rejected

MAX_VIEW_BLOCKS = 100
# Slack's limit on a view's JSON; beyond it views.publish answers view_too_large.
MAX_VIEW_BYTES = 250_000
BLOCK_TYPES = frozenset(
    {"section", "divider", "header", "context", "actions", "input", "image", "rich_text"}
)
ELEMENT_OPTIONS_LIMITS = {
    "overflow": (1, 5),
    "static_select": (1, 100),
    "multi_static_select": (1, 100),
    "radio_buttons": (1, 10),
    "checkboxes": (1, 10),
}


def check_view(view: dict[str, Any]) -> None:
    size = len(json.dumps(view, ensure_ascii=False).encode())
    if size > MAX_VIEW_BYTES:
        raise Rejected("view_too_large", f"the view is {size} bytes")
    blocks = view.get("blocks") or []
    if not isinstance(blocks, list) or len(blocks) > MAX_VIEW_BLOCKS:
        raise Rejected("invalid_blocks", f"at most {MAX_VIEW_BLOCKS} blocks in a view")
    check_blocks(blocks)


def check_blocks(blocks: list[Any]) -> None:
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            raise Rejected("invalid_blocks", f"{where}: unknown block type")
        block_id = block.get("block_id")
        if block_id is not None:
            _limit(where + ".block_id", str(block_id), 255)
            if block_id in block_ids:
                raise Rejected("invalid_blocks", f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(str(block_id))
        # An action_id must be unique within its block (a view may repeat one across blocks).
        _check_block(where, block, set())


def _check_block(where: str, block: dict[str, Any], action_ids: set[str]) -> None:
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            raise Rejected("invalid_blocks", f"{where}: a section needs text or fields")
        if "text" in block:
            _text(where + ".text", block["text"], 3000)
        fields = block.get("fields") or []
        if len(fields) > 10:
            raise Rejected("invalid_blocks", f"{where}: at most 10 fields")
        for number, item in enumerate(fields):
            _text(f"{where}.fields[{number}]", item, 2000)
        if "accessory" in block:
            _element(where + ".accessory", block["accessory"], action_ids)
    elif kind == "header":
        _text(where + ".text", block.get("text"), 150, plain_only=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 10:
            raise Rejected("invalid_blocks", f"{where}: a context takes 1 to 10 elements")
        for number, element in enumerate(elements):
            if element.get("type") != "image":
                _text(f"{where}.elements[{number}]", element, 3000)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 25:
            raise Rejected("invalid_blocks", f"{where}: actions take 1 to 25 elements")
        for number, element in enumerate(elements):
            _element(f"{where}.elements[{number}]", element, action_ids)
    elif kind == "input":
        _text(where + ".label", block.get("label"), 2000, plain_only=True)
        if not isinstance(block.get("element"), dict):
            raise Rejected("invalid_blocks", f"{where}: an input needs an element")
        _element(where + ".element", block["element"], action_ids)


def _element(where: str, element: Any, action_ids: set[str]) -> None:
    if not isinstance(element, dict) or not element.get("type"):
        raise Rejected("invalid_blocks", f"{where}: an element needs a type")
    action_id = element.get("action_id")
    if action_id is not None:
        _limit(where + ".action_id", str(action_id), 255)
        if action_id in action_ids:
            raise Rejected("invalid_blocks", f"{where}: duplicate action_id {action_id!r}")
        action_ids.add(str(action_id))
    limits = ELEMENT_OPTIONS_LIMITS.get(element["type"])
    if limits is not None and "option_groups" not in element:
        options = element.get("options") or []
        low, high = limits
        if not low <= len(options) <= high:
            raise Rejected(
                "invalid_blocks", f"{where}: {element['type']} takes {low} to {high} options"
            )
        for number, option in enumerate(options):
            _text(f"{where}.options[{number}].text", option.get("text"), 75)
            _limit(f"{where}.options[{number}].value", str(option.get("value") or ""), 150)
    if element["type"] == "button":
        _text(where + ".text", element.get("text"), 75, plain_only=True)
        _limit(where + ".value", str(element.get("value") or ""), 2000)


def _text(where: str, text: Any, limit: int, plain_only: bool = False) -> None:
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(text, dict) or text.get("type") not in kinds:
        raise Rejected("invalid_blocks", f"{where}: must be a text object of type {kinds}")
    value = text.get("text")
    if not isinstance(value, str) or not value:
        raise Rejected("invalid_blocks", f"{where}: text must be more than 0 characters")
    _limit(where, value, limit)


def _limit(where: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise Rejected("invalid_blocks", f"{where}: at most {limit} characters, got {len(value)}")
