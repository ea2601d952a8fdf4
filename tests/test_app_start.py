"""Building the app logs nothing misleading: Bolt's "`token` will be unused" must not appear."""

from __future__ import annotations

import logging
import os

import pytest

from bot.app import build_app
from bot.runtime import build_runtime
from bot.sandbox.slack import FakeSlack
from tests.conftest import BOT_TOKEN, make_settings


@pytest.mark.parametrize(
    "oauth",
    [{}, {"slack_client_id": "1.2", "slack_client_secret": "s"}],
    ids=["single-workspace", "oauth"],
)
def test_building_the_app_logs_no_unused_token_warning(
    database_url: str,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    oauth: dict[str, str],
) -> None:
    # As an operator starts it: the token in the environment (Bolt reads it there too).
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    runtime = build_runtime(make_settings(database_url, fake_slack, **oauth))
    try:
        with caplog.at_level(logging.DEBUG):
            app = build_app(runtime)
        assert [r.getMessage() for r in caplog.records if "unused" in r.getMessage()] == []
        # The app still talks to Slack with the settings' token and API URL.
        if not oauth:
            assert app.client.token == BOT_TOKEN
        assert app.client.base_url == fake_slack.url
        assert os.environ["SLACK_BOT_TOKEN"] == BOT_TOKEN, "the environment is left as it was"
    finally:
        runtime.engine.dispose()
