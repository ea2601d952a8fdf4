"""Multi-workspace installs end to end: Bolt's OAuth pages, slack_sdk's SQLAlchemy installation and
state stores on our database, `oauth.v2.access` in the fake, each workspace served with its own
token (requests and the clock alike), token rotation, and a workspace that leaves and returns.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from bot.runtime import WorkspaceGone
from bot.sandbox.slack import FakeSlack
from schedules.clock import tick
from storage.channels import update_channel
from storage.db import transaction
from storage.models import SLACK_BOTS_TABLE, SLACK_INSTALLATIONS_TABLE
from tests.conftest import BotUnderTest, make_settings, serve_bot
from tests.test_uninstall_e2e import NEXT_PROMPT

CHANNELS = {"T0001": "C0001", "T0002": "C0002"}


@pytest.fixture
def oauth_bot(database_url: str, fake_slack: FakeSlack) -> Iterator[BotUnderTest]:
    settings = make_settings(
        database_url,
        fake_slack,
        slack_bot_token=None,
        slack_client_id=fake_slack.client_id,
        slack_client_secret=fake_slack.client_secret,
    )
    fake_slack.valid_tokens.clear()  # only tokens handed out by installs work
    fake_slack.add_user("UBOT0002", name="Redthread", is_bot=True)
    fake_slack.set_members("C0002", ["U0001", "U0002", "UBOT0002"])
    with serve_bot(settings, fake_slack) as bot:
        yield bot


def _get(url: str, cookie: str | None = None) -> tuple[int, http.client.HTTPResponse, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}", headers={"Cookie": cookie or ""})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, response, body


def install(bot: BotUnderTest, team_id: str, *, rotation: bool = False) -> str:
    """Someone opens /slack/install, approves in Slack, comes back: the new bot token."""
    status, page, body = _get(f"{bot.url}/slack/install")
    assert status == 200 and "https://slack.com/oauth/v2/authorize" in body
    cookie = str(page.getheader("Set-Cookie")).split(";")[0]
    name, state = cookie.split("=", 1)
    assert name == "slack-app-oauth-state" and f"state={state}" in body
    code = bot.fake.issue_code(team_id, rotation=rotation)
    status, _, body = _get(f"{bot.url}/slack/oauth_redirect?code={code}&state={state}", cookie)
    assert status == 200, body
    tokens = [t for t, owner in bot.fake.token_installs.items() if owner.team_id == team_id]
    return tokens[-1]


def _tokens_of_posts(bot: BotUnderTest) -> dict[str, set[str | None]]:
    posted: dict[str, set[str | None]] = {}
    for call in bot.fake.calls_to("chat.postMessage"):
        posted.setdefault(str(call.params["channel"]), set()).add(call.token)
    return posted


def _activate_channels(bot: BotUnderTest) -> None:
    with transaction(bot.runtime.sessions) as session:
        for team, channel in CHANNELS.items():
            update_channel(session, team, channel, active=True, daily_state="on")


def test_two_workspaces_install_and_each_is_served_with_its_own_token(
    oauth_bot: BotUnderTest,
) -> None:
    bot = oauth_bot
    tokens = {team: install(bot, team) for team in CHANNELS}
    assert len(bot.fake.calls_to("oauth.v2.access")) == 2
    # A state is good for one redirect only (slack_sdk's state store on our database).
    status, _, _ = _get(f"{bot.url}/slack/oauth_redirect?code=x&state=forged", "x=y")
    assert status == 400

    for team, channel in CHANNELS.items():
        bot.command("/prospect", f"Acme {team}: intro", team_id=team, channel_id=channel)
    assert _tokens_of_posts(bot) == {c: {tokens[t]} for t, c in CHANNELS.items()}

    bot.fake.reset()
    _activate_channels(bot)
    bot.clock.set(NEXT_PROMPT)
    assert tick(bot.runtime).ran == 2
    assert _tokens_of_posts(bot) == {c: {tokens[t]} for t, c in CHANNELS.items()}
    assert {call.token for call in bot.fake.calls} <= set(tokens.values())


def test_a_workspace_whose_token_is_revoked_rests_until_it_installs_again(
    oauth_bot: BotUnderTest,
) -> None:
    bot = oauth_bot
    for team in CHANNELS:
        install(bot, team)
    _activate_channels(bot)
    bot.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT0002"]}}, team_id="T0002")
    with pytest.raises(WorkspaceGone):
        bot.runtime.client_for("T0002")
    bot.clock.set(NEXT_PROMPT)
    assert [line.split()[2] for line in tick(bot.runtime).lines()] == ["T0001/C0001"]

    new_token = install(bot, "T0002")
    bot.fake.reset()
    bot.clock.set(NEXT_PROMPT + timedelta(minutes=1))
    assert tick(bot.runtime).ran == 1
    assert _tokens_of_posts(bot) == {"C0002": {new_token}}


def test_uninstalling_erases_the_install_and_the_other_workspace_goes_on(
    oauth_bot: BotUnderTest,
) -> None:
    bot = oauth_bot
    tokens = {team: install(bot, team) for team in CHANNELS}
    _activate_channels(bot)
    bot.event({"type": "app_uninstalled"}, team_id="T0002")
    bot.clock.set(NEXT_PROMPT)
    assert tick(bot.runtime).ran == 1
    assert _tokens_of_posts(bot) == {"C0001": {tokens["T0001"]}}
    with bot.runtime.engine.connect() as connection:
        teams = {row.team_id for row in connection.execute(SLACK_BOTS_TABLE.select())}
    assert teams == {"T0001"}


def _expiring_soon(bot: BotUnderTest) -> None:
    soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5)
    with transaction(bot.runtime.sessions) as session:
        for table in (SLACK_INSTALLATIONS_TABLE, SLACK_BOTS_TABLE):
            session.execute(update(table).values(bot_token_expires_at=soon))


def test_rotating_tokens_are_refreshed_for_requests_and_for_the_clock(
    oauth_bot: BotUnderTest,
) -> None:
    bot = oauth_bot
    first = install(bot, "T0001", rotation=True)
    bot.command("/prospect", "Acme: intro")
    assert _tokens_of_posts(bot) == {"C0001": {first}}, "twelve hours left: no refresh yet"

    _expiring_soon(bot)
    bot.fake.reset()
    bot.command("/prospect", "Globex: intro")
    [refresh] = bot.fake.calls_to("oauth.v2.access")
    assert refresh.params["grant_type"] == "refresh_token"
    [second] = _tokens_of_posts(bot)["C0001"]
    assert second != first and first not in bot.fake.valid_tokens

    _expiring_soon(bot)
    bot.fake.reset()
    _activate_channels(bot)
    bot.clock.set(NEXT_PROMPT)
    assert tick(bot.runtime).ran == 1
    assert len(bot.fake.calls_to("oauth.v2.access")) == 1
    [third] = _tokens_of_posts(bot)["C0001"]
    assert third not in (first, second)
