"""The harness itself: the fake Web API behaves like Slack towards the real slack_sdk client, and
the driver's requests pass a real Bolt app's signature check."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack import Call, FakeSlack, SlackDriver, multi, plain, select, timepicker
from bot.sandbox.slack.driver import FORM

SECRET = "harness-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U0001", name="Anna", locale="en-US")
        fake.add_user("U0002", name="Ben", locale="de-DE")
        fake.set_members("C0001", ["U0001", "U0002", "UBOT"])
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])


def test_known_call_is_recorded_with_params_and_answered_like_slack(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C0001", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C0001", text="again", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == "C0001"
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]
    [call, _] = fake.calls_to("chat.postMessage")
    assert call.params == {"channel": "C0001", "text": "hi", "blocks": blocks}
    assert call.token == "xoxb-test"

    client.chat_update(channel="C0001", ts=first["ts"], text="edited")
    assert fake.message("C0001", first["ts"])["text"] == "edited"  # type: ignore[index]
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C0001", ts="1.000001", text="edited")
    assert missing.value.response["error"] == "message_not_found"
    assert fake.calls_to("chat.update")[-1].error == "message_not_found"
    assert not fake.rejected


def test_form_bodies_have_json_fields_decoded_and_query_strings_work(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postEphemeral",
        params={"channel": "C0001", "user": "U0002", "text": "psst", "blocks": json.dumps(blocks)},
    )
    assert fake.calls_to("chat.postEphemeral")[0].params["blocks"] == blocks

    with urllib.request.urlopen(f"{fake.url}auth.test?token=xoxb-test") as answer:
        assert json.loads(answer.read())["user_id"] == "UBOT"


def test_unknown_params_methods_and_tokens_are_rejected(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as bad_param:
        client.chat_postMessage(channel="C0001", text="hi", colour="red")
    assert bad_param.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as bad_method:
        client.api_call("chat.postMesage", json={"channel": "C0001"})
    assert bad_method.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as no_token:
        WebClient(base_url=fake.url).auth_test()
    assert no_token.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as wrong_token:
        WebClient(token="xoxb-other", base_url=fake.url).auth_test()
    assert wrong_token.value.response["error"] == "invalid_auth"

    errors = [(c.method, c.error) for c in fake.rejected]
    assert errors == [
        ("chat.postMessage", "invalid_arguments"),
        ("chat.postMesage", "unknown_method"),
        ("auth.test", "not_authed"),
        ("auth.test", "invalid_auth"),
    ]
    assert "colour" in (fake.rejected[0].detail or "")
    assert fake.calls == []


def test_newer_params_slack_sdk_sends_are_accepted(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(
        channel="C0001", text="hi", metadata={"event_type": "daily", "event_payload": {}}
    )
    client.chat_update(channel="C0001", ts=posted["ts"], text="x", reply_broadcast=False)
    # Bolt's per-request client carries team_id into every call.
    WebClient(token="xoxb-test", base_url=fake.url, team_id="T0001").users_info(user="U0001")
    assert not fake.rejected


def test_users_info_only_includes_locale_when_asked(client: WebClient) -> None:
    assert "locale" not in client.users_info(user="U0002")["user"]
    user = client.users_info(user="U0002", include_locale=True)["user"]
    assert user["locale"] == "de-DE"
    assert user["profile"]["display_name"] == "Ben"
    with pytest.raises(SlackApiError) as unknown:
        client.users_info(user="U9999")
    assert unknown.value.response["error"] == "user_not_found"


def test_conversations_members_paginates_with_cursors(fake: FakeSlack, client: WebClient) -> None:
    everyone = [f"U{n:04d}" for n in range(1, 8)]
    fake.set_members("C0002", everyone)

    pages = [page["members"] for page in client.conversations_members(channel="C0002", limit=3)]

    assert pages == [everyone[:3], everyone[3:6], everyone[6:]]
    cursors = [call.params.get("cursor") for call in fake.calls_to("conversations.members")]
    assert cursors[0] is None and all(cursors[1:])
    fake.missing_channels.add("C0003")
    with pytest.raises(SlackApiError) as missing:
        client.conversations_members(channel="C0003")
    assert missing.value.response["error"] == "channel_not_found"


def test_rate_limit_carries_retry_after_and_is_retried(fake: FakeSlack) -> None:
    fake.fail_next("auth.test", retry_after=0)
    retrying = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )

    assert retrying.auth_test()["user_id"] == "UBOT"
    assert [c.error for c in fake.failed] == ["ratelimited"]
    assert len(fake.calls_to("auth.test")) == 1

    fake.fail_next("auth.test", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[]).auth_test()
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"


def test_injected_errors_answer_ok_false_with_status_200(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="C0001", text="hi")
        assert failed.value.response.status_code == 200
        assert failed.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C0001", text="hi")["ok"]
    assert len(fake.failed) == 2 and len(fake.calls) == 1


def test_wait_for_blocks_until_the_call_arrives(fake: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C0001", text="later"))
    timer.start()
    started = time.monotonic()
    [call] = fake.wait_for("chat.postMessage", predicate=lambda c: c.params["text"] == "later")
    timer.join()
    assert isinstance(call, Call) and time.monotonic() - started < 2
    with pytest.raises(AssertionError, match=r"unexpected call to chat\.postMessage"):
        fake.assert_no_call("chat.postMessage", within=0.05)
    fake.reset()
    fake.assert_no_call("chat.postMessage", within=0.05)


def test_wait_for_timeout_lists_the_calls_seen(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    started = time.monotonic()
    with pytest.raises(AssertionError) as timeout:
        fake.wait_for("chat.postMessage", count=2, timeout=0.2)
    message = str(timeout.value)
    assert time.monotonic() - started >= 0.2
    assert "2 call(s) to chat.postMessage within 0.2s, got 0" in message
    assert "auth.test" in message


def test_views_open_needs_a_trigger_id_and_returns_a_view(
    fake: FakeSlack, client: WebClient
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Daily"}, "blocks": []}
    opened = client.views_open(trigger_id="1.2.abc", view=view)["view"]
    assert opened["id"].startswith("V") and opened["title"]["text"] == "Daily"
    updated = client.views_update(view_id=opened["id"], view=view, hash=opened["hash"])["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError):
        client.api_call("views.open", json={"view": view})
    assert [c.error for c in fake.rejected] == ["invalid_arguments"]


def test_other_methods_keep_state_like_slack(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U0001", text="dm")
    assert posted["channel"].startswith("D")  # a user ID posts into the DM with that user
    link = client.chat_getPermalink(channel="C0001", message_ts="1764000000.000100")["permalink"]
    assert link.endswith("/archives/C0001/p1764000000000100")
    assert client.reactions_add(channel="C0001", timestamp="1.1", name="eyes")["ok"]
    with pytest.raises(SlackApiError, match="already_reacted"):
        client.reactions_add(channel="C0001", timestamp="1.1", name="eyes")
    info = client.conversations_info(channel="C0001", include_num_members=True)["channel"]
    assert info["is_member"] and info["num_members"] == 3
    fake.set_members("C0002", ["U0002"])
    with pytest.raises(SlackApiError, match="user_not_in_channel"):
        client.chat_postEphemeral(channel="C0002", user="U0001", text="x")
    assert client.chat_delete(channel=posted["channel"], ts=posted["ts"])["ok"]
    assert fake.message(posted["channel"], posted["ts"]) is None
    home = {"type": "home", "blocks": []}
    assert client.views_publish(user_id="U0001", view=home)["view"]["type"] == "home"
    assert not fake.rejected


def test_signed_headers_verify_with_slack_sdk() -> None:
    driver = SlackDriver("http://127.0.0.1:1", SECRET)
    body = b"token=x&command=%2Fdaily"
    verifier = SignatureVerifier(SECRET)

    good = driver.signed_headers(body)
    assert verifier.is_valid(body, good["X-Slack-Request-Timestamp"], good["X-Slack-Signature"])
    stale = driver.signed_headers(body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(
        body, stale["X-Slack-Request-Timestamp"], stale["X-Slack-Signature"]
    )
    forged = driver.signed_headers(body, secret="other")
    assert not verifier.is_valid(
        body, forged["X-Slack-Request-Timestamp"], forged["X-Slack-Signature"]
    )


# -- the driver against a real Bolt app ------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def driver(fake: FakeSlack) -> Iterator[SlackDriver]:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-test", base_url=fake.url),
    )

    @app.command("/daily")
    def daily(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        client.views_open(
            trigger_id=body["trigger_id"],
            view={"type": "modal", "title": {"type": "plain_text", "text": "Daily"}, "blocks": []},
        )
        respond("opened")

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Say) -> None:
        say(text=f"hello <@{event['user']}>")

    @app.view("daily_submit")
    def submit(ack: Ack, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        if not values["yesterday"]["text"]["value"]:
            ack(response_action="errors", errors={"yesterday": "Tell us something"})
            return
        ack()

    server = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(app),
        server_class=WSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SlackDriver(
        f"http://127.0.0.1:{server.server_port}", SECRET, response_url_base=fake.hooks_url
    )
    server.shutdown()
    server.server_close()


def test_slash_command_reaches_bolt_and_its_calls_reach_the_fake(
    fake: FakeSlack, driver: SlackDriver
) -> None:
    response = driver.command("/daily", text="now")

    assert response.status == 200
    [opened] = fake.wait_for("views.open")
    assert opened.params["trigger_id"] == response.trigger_id
    [responded] = fake.wait_for("response_url")
    assert responded.params["text"] == "opened"
    assert not fake.rejected


def test_event_carries_an_event_id_and_retry_headers(fake: FakeSlack, driver: SlackDriver) -> None:
    mention = {"type": "app_mention", "user": "U0001", "text": "<@UBOT> hi", "channel": "C0001"}
    first = driver.event(mention | {"ts": "1764000000.000100"})
    retried = driver.event(mention, event_id=first.event_id, retry_num=1)

    assert first.status == retried.status == 200
    assert first.event_id and first.event_id.startswith("Ev")
    assert retried.sent and retried.sent["event_id"] == first.event_id
    fake.wait_for("chat.postMessage", count=2)


def test_view_submission_values_and_errors(driver: SlackDriver) -> None:
    values: dict[str, dict[str, Any]] = {
        "yesterday": {"text": plain("")},
        "mood": {"pick": select("good")},
        "topics": {"pick": multi(["a", "b"])},
        "when": {"time": timepicker("09:00")},
    }
    refused = driver.view_submission("daily_submit", values)
    assert refused.status == 200
    assert refused.json == {
        "response_action": "errors",
        "errors": {"yesterday": "Tell us something"},
    }

    accepted = driver.view_submission("daily_submit", values | {"yesterday": {"text": "Calls"}})
    assert accepted.status == 200 and accepted.body == ""


def test_bolt_refuses_stale_or_forged_signatures(driver: SlackDriver) -> None:
    body = b"command=%2Fdaily&text="
    stale = driver.signed_headers(body, timestamp=int(time.time()) - 600)
    forged = driver.signed_headers(body, secret="not-the-secret")
    assert driver.raw(body, {"Content-Type": FORM, **stale}).status == 401
    assert driver.raw(body, {"Content-Type": FORM, **forged}).status == 401
    assert driver.url_verification("abc").json == {"challenge": "abc"}
