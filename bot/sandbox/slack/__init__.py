"""Slack, played locally: a Web API stand-in (`FakeSlack`) and Slack's side of the Events and
interactivity protocol (`SlackDriver`), so the real Bolt app is driven over HTTP — by the
end-to-end tests and by the sandbox (`python -m bot sandbox`) alike."""

from bot.sandbox.slack.driver import Response, SlackDriver
from bot.sandbox.slack.faults import Drop
from bot.sandbox.slack.server import Call, FakeSlack
from bot.sandbox.slack.states import (
    datepicker,
    multi,
    multi_users,
    plain,
    select,
    timepicker,
)

__all__ = [
    "Call",
    "Drop",
    "FakeSlack",
    "Response",
    "SlackDriver",
    "datepicker",
    "multi",
    "multi_users",
    "plain",
    "select",
    "timepicker",
]
