"""End-to-end test harness: a fake Slack Web API (`FakeSlack`) and Slack's side of the Events and
interactivity protocol (`SlackDriver`), so tests drive the real Bolt app over HTTP."""

from tests.fakeslack.driver import (
    Response,
    SlackDriver,
    datepicker,
    multi,
    multi_users,
    plain,
    select,
    timepicker,
)
from tests.fakeslack.faults import Drop
from tests.fakeslack.server import Call, FakeSlack

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
