"""What a person does on the sandbox's page, sent to the bot as Slack would send it.

Each function takes the page's JSON object, checks it (`BadInput` for a 400) and returns the
extra fields of the answer; `bot.sandbox.web` adds `ok` and the new `version`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.cli import CommandError, job_moment, run_job
from bot.sandbox.engine import BadInput, Sandbox
from bot.sandbox.seed import as_slack_sends
from bot.sandbox.slack import Response, plain
from bot.sandbox.state import direct_channel

Action = Callable[[Sandbox, dict[str, Any]], dict[str, Any]]
# What a block action may carry besides its value, as Slack names it.
SELECTIONS = (
    "selected_option",
    "selected_options",
    "selected_date",
    "selected_time",
    "selected_user",
    "selected_users",
    "selected_conversation",
    "selected_channel",
)


def _text(request: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = request.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadInput(f"{name}: a non-empty string is required")
    return value


def command(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    channel = sandbox.check_channel(user, request.get("channel"))
    name = _text(request, "command").strip()
    if name not in sandbox.commands:
        raise BadInput(
            f"command: {name} is not a command; try {', '.join(sorted(sandbox.commands))}"
        )
    response = sandbox.send(
        sandbox.driver.command,
        command=name,
        text=as_slack_sends(_text(request, "text", required=False)),
        user_id=user,
        channel_id=channel,
        user_name=sandbox.user_name(user),
        trigger_id=sandbox.slack.trigger_for(user),
        response_url=sandbox.origin(user, channel),
        channel_name=sandbox.slack.channels.get(channel, {}).get("name", "directmessage"),
    )
    _show_ack(sandbox, user, channel, response)
    return {}


def _show_ack(sandbox: Sandbox, user: str, channel: str, response: Response) -> None:
    """A command answered in its ack shows that answer to the caller only, as Slack does."""
    answer = response.json if isinstance(response.json, dict) else None
    if answer is None and response.body.strip():
        answer = {"text": response.body}
    if answer and (answer.get("text") or answer.get("blocks")):
        sandbox.slack.answer_privately(user, channel, answer)


def message(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    channel = sandbox.check_channel(user, request.get("channel"))
    thread_ts = request.get("thread_ts") or None
    if thread_ts is not None:
        sandbox.message(channel, thread_ts)
    text = as_slack_sends(_text(request, "text"))
    posted = sandbox.slack.post_as(user, channel, text, thread_ts)
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": posted["ts"],
        "team": sandbox.slack.team_id,
        "channel_type": "im" if channel == direct_channel(user) else "channel",
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    sandbox.send(sandbox.driver.event, event)
    return {"ts": posted["ts"]}


def reaction(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    channel = sandbox.check_channel(user, request.get("channel"))
    ts = _text(request, "ts")
    target = sandbox.message(channel, ts)
    name = _text(request, "name").strip(":")
    on = request.get("on", True)
    if not isinstance(on, bool):
        raise BadInput("on: true or false")
    if not sandbox.slack.react(user, channel, ts, name, on):
        return {"changed": False}
    event = {
        "type": "reaction_added" if on else "reaction_removed",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": target.get("user"),
        "event_ts": sandbox.now_ts(),
    }
    sandbox.send(sandbox.driver.event, event)
    return {"changed": True}


def home(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": direct_channel(user),
        "tab": "home",
    }
    shown = sandbox.state(user)["home"]
    if shown is not None:
        event["view"] = shown
    sandbox.send(sandbox.driver.event, event)
    return {}


def _element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any]:
    """The interactive element the person used, from the blocks they saw."""
    for block in blocks:
        if block.get("block_id") not in (None, block_id) and block_id:
            continue
        elements = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise BadInput(f"action_id: no element {action_id!r} in block {block_id!r}")


def _selected_option(element: dict[str, Any], chosen: Any) -> Any:
    """A selected option given by its value is the element's option with that value."""
    if not isinstance(chosen, str):
        return chosen
    options = [*element.get("options", [])]
    for group in element.get("option_groups", []):
        options += group.get("options", [])
    for option in options:
        if option.get("value") == chosen:
            return option
    raise BadInput(f"selected_option: {chosen!r} is not one of the options")


def action(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    block_id = _text(request, "block_id", required=False)
    action_id = _text(request, "action_id")
    view = None
    channel, message_ts, where = "", None, None
    if request.get("view_id"):
        view = sandbox.view_of(user, request["view_id"])
        blocks = view.get("blocks", [])
    else:
        channel = sandbox.check_channel(user, request.get("channel"))
        message_ts = _text(request, "message_ts")
        where = sandbox.message(channel, message_ts)
        blocks = where.get("blocks", [])
    element = _element(blocks, block_id, action_id)
    block_id = block_id or next((b.get("block_id", "") for b in blocks if element in _parts(b)), "")
    extra = {key: request[key] for key in SELECTIONS if key in request}
    if "selected_option" in extra:
        extra["selected_option"] = _selected_option(element, extra["selected_option"])
    value = request.get("value", element.get("value"))
    sandbox.send(
        sandbox.driver.block_action,
        action_id,
        value,
        user,
        channel or direct_channel(user),
        message_ts,
        block_id=block_id,
        action_type=str(element.get("type", "button")),
        action=extra,
        message=where,
        view=view,
        user_name=sandbox.user_name(user),
        response_url=sandbox.origin(user, channel, message_ts) if channel else None,
        trigger_id=sandbox.slack.trigger_for(user),
    )
    return {}


def _parts(block: dict[str, Any]) -> list[Any]:
    return [*block.get("elements", []), block.get("accessory"), block.get("element")]


def shortcut(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    user = sandbox.check_user(request.get("user"))
    channel = sandbox.check_channel(user, request.get("channel"))
    message_ts = _text(request, "message_ts")
    where = sandbox.message(channel, message_ts)
    sandbox.send(
        sandbox.driver.message_shortcut,
        _text(request, "callback_id"),
        where,
        channel,
        user,
        user_name=sandbox.user_name(user),
        response_url=sandbox.origin(user, channel, message_ts),
        trigger_id=sandbox.slack.trigger_for(user),
    )
    return {}


def run_scheduled_job(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    """Like `python -m bot run JOB --channel C --at ISO`; the sandbox's time goes on from `at`."""
    job = _text(request, "job")
    if job not in sandbox.jobs:
        raise BadInput(f"job: {job!r} is not one of {', '.join(sandbox.jobs)}")
    channel = request.get("channel") or next(iter(sandbox.slack.channels))
    if channel not in sandbox.slack.channels:
        raise BadInput(f"channel: no channel {channel!r}")
    at = request.get("at") or None
    if at is not None and not isinstance(at, str):
        raise BadInput("at: an ISO time like 2026-11-30T09:00")
    with sandbox.acting:
        try:
            moment = job_moment(sandbox.runtime, sandbox.slack.team_id, channel, at)
        except CommandError as problem:
            raise BadInput(str(problem)) from None
        sandbox.clock.jump(moment)
        try:
            line = run_job(sandbox.runtime, job, sandbox.slack.team_id, channel, moment)
        finally:
            sandbox.slack.versions.bump()
    return {"ran": line}


def reset(sandbox: Sandbox, request: dict[str, Any]) -> dict[str, Any]:
    sandbox.reset()
    return {}


def plain_values(values: Any) -> dict[str, dict[str, Any]]:
    """{block_id: {action_id: state}}; a bare string state is a plain_text_input's value."""
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise BadInput("values: {block_id: {action_id: state}} is required")
    return {
        str(block_id): {
            str(action_id): plain(state) if isinstance(state, str) or state is None else state
            for action_id, state in actions.items()
        }
        for block_id, actions in values.items()
    }
