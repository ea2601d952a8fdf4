"""End-to-end test harness: a fake Slack Web API (`FakeSlack`) and Slack's side of the Events and
interactivity protocol (`SlackDriver`), so tests drive the real Bolt app over HTTP."""

from bot.sandbox.slack.driver import (
    Response,
    SlackDriver,
    datepicker,
    multi,
    multi_users,
    plain,
    select,
    timepicker,
)
from bot.sandbox.slack.faults import Drop
from bot.sandbox.slack.server import Call, FakeSlack

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
