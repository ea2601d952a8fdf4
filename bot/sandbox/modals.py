"""Modals on the sandbox's page: submitting one (with the bot's answer honoured) and closing it.

Slack sends the view as it stands with the person's input in `state.values`; the bot answers
in the acknowledgement with nothing (the modal closes) or a `response_action`: `errors` (the
modal stays, the messages under their blocks), `update`, `push` or `clear`.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.actions import plain_values
from bot.sandbox.engine import BadInput, Sandbox
from bot.sandbox.slack.driver import VERIFICATION_TOKEN


def _open_view(sandbox: Sandbox, user: str, view_id: Any) -> dict[str, Any]:
    if view_id not in sandbox.slack.modal_stacks.get(user, []):
        raise BadInput(f"view_id: {view_id!r} is not a modal open for {user}")
    return sandbox.view_of(user, view_id)


def _payload(sandbox: Sandbox, kind: str, user: str, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "team": sandbox.team_payload(),
        "user": sandbox.user_payload(user),
        "api_app_id": sandbox.slack.app_id,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def _with_types(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> None:
    """States the page sent without a `type` get their element's, as Slack sends them."""
    elements = {
        (block.get("block_id"), block["element"].get("action_id")): block["element"]
        for block in view.get("blocks", [])
        if isinstance(block.get("element"), dict)
    }
    for block_id, actions in values.items():
        for action_id, state in actions.items():
            element = elements.get((block_id, action_id))
            if element is not None and isinstance(state, dict):
                state.setdefault("type", element.get("type"))


def view_submission(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    view = _open_view(sandbox, user, request.get("view_id"))
    values = plain_values(request.get("values", {}))
    _with_types(view, values)
    view["state"] = {"values": values}
    payload = _payload(sandbox, "view_submission", user, view)
    payload |= {"trigger_id": sandbox.slack.trigger_for(user), "response_urls": []}
    with sandbox.acting:
        response = sandbox.send(sandbox.driver.send_payload, payload)
        answer = response.json if isinstance(response.json, dict) else {}
        todo = answer.get("response_action")
        if todo == "errors":
            return {"ok": False, "errors": dict(answer.get("errors") or {})}
        if todo == "update" and isinstance(answer.get("view"), dict):
            sandbox.slack.replace_top_modal(user, answer["view"])
        elif todo == "push" and isinstance(answer.get("view"), dict):
            sandbox.slack.push_modal(user, answer["view"])
        elif todo == "clear":
            sandbox.slack.clear_modals(user)
        elif response.status == 200:
            sandbox.slack.close_modal(user, view["id"])
    return {}


def view_closed(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    view = _open_view(sandbox, user, request.get("view_id"))
    with sandbox.acting:
        sandbox.slack.close_modal(user, view["id"])
        if view.get("notify_on_close"):
            payload = _payload(sandbox, "view_closed", user, view) | {"is_cleared": False}
            sandbox.send(sandbox.driver.send_payload, payload)
    return {}
