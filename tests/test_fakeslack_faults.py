"""The faults the fake plays, seen from a real slack_sdk WebClient: dropped connections, 429
storms and slow answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.client import RemoteDisconnected
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.sandbox.slack import FakeSlack

CHANNEL = "C0001"


def tagged(key: str) -> dict[str, Any]:
    return {"event_type": "redthread_post", "event_payload": {"key": key}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """No retry handlers: every fault reaches the test."""
    return WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])


def post(client: WebClient, key: str) -> Any:
    return client.chat_postMessage(channel=CHANNEL, text=key, metadata=tagged(key))


# -- dropped connections ----------------------------------------------------------------------


def test_drop_before_fails_the_call_without_handling_it(fake: FakeSlack, client: WebClient) -> None:
    fake.drop_before("chat.postMessage")

    with pytest.raises(RemoteDisconnected):
        post(client, "k1")

    assert fake.calls_to("chat.postMessage") == [] and fake.messages == {}
    assert fake.dropped == [
        ("chat.postMessage", {"channel": CHANNEL, "text": "k1", "metadata": tagged("k1")}, "before")
    ]
    assert post(client, "k1")["ok"]  # used up
    assert fake.missing_keys(["k1"]) == set()


def test_drop_after_posts_the_message_but_loses_the_answer(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.drop_after("chat.postMessage")

    with pytest.raises(RemoteDisconnected):
        post(client, "k1")

    [handled] = fake.calls_to("chat.postMessage")
    assert handled.params["metadata"] == tagged("k1") and handled.error is None
    assert list(fake.messages_with_key(CHANNEL)) == ["k1"]
    assert [(drop.method, drop.when) for drop in fake.dropped] == [("chat.postMessage", "after")]


def test_retrying_a_dropped_answer_blindly_doubles_the_post(fake: FakeSlack) -> None:
    """Why the app looks for its key before posting again: slack_sdk's default retry does not."""
    without_waiting = FixedValueRetryIntervalCalculator(0)
    retrying = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[ConnectionErrorRetryHandler(interval_calculator=without_waiting)],
    )
    fake.drop_before("chat.postMessage")
    post(retrying, "safe")
    fake.drop_after("chat.postMessage")
    post(retrying, "doubled")

    assert fake.doubled_keys() == {"doubled": 2}
    assert [drop.when for drop in fake.dropped] == ["before", "after"]


def test_drop_after_waits_for_a_call_that_reaches_the_handler(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", retry_after=0)
    fake.drop_after("chat.postMessage")

    with pytest.raises(SlackApiError) as rejected:
        client.chat_postMessage(channel=CHANNEL, text="x", colour="red")
    assert rejected.value.response["error"] == "invalid_arguments"  # a bug is still shown
    with pytest.raises(SlackApiError) as limited:
        post(client, "k1")
    assert limited.value.response.status_code == 429
    with pytest.raises(RemoteDisconnected):
        post(client, "k1")
    assert post(client, "k2")["ok"]
    assert sorted(fake.messages_with_key()) == ["k1", "k2"]


def test_drops_count_per_method_and_reset_forgets_them(fake: FakeSlack, client: WebClient) -> None:
    fake.drop_before("auth.test", times=2)
    for _ in range(2):
        with pytest.raises(ConnectionResetError):
            client.auth_test()
    assert post(client, "other method")["ok"]
    assert client.auth_test()["ok"]
    assert len(fake.dropped) == 2
    fake.reset()
    assert fake.dropped == [] and fake.calls == []


# -- 429 storms -------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit(times=3, retry_after=2)  # any method

    for call in (client.auth_test, lambda: post(client, "k1"), client.auth_test):
        with pytest.raises(SlackApiError) as limited:
            call()
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] == "2"
        assert limited.value.response["error"] == "ratelimited"
    assert client.auth_test()["ok"]
    assert [call.method for call in fake.failed] == ["auth.test", "chat.postMessage", "auth.test"]


def test_slack_sdk_retries_after_retry_after_zero(fake: FakeSlack) -> None:
    """RateLimitErrorRetryHandler sleeps Retry-After plus up to a second of jitter."""
    retrying = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.rate_limit("chat.postMessage", retry_after=0)

    assert post(retrying, "k1")["ok"]
    assert len(fake.failed) == 1 and len(fake.calls) == 1


def storm_outcomes(seed: int, calls: int = 40) -> list[bool]:
    """Which of `calls` sequential auth.test calls a 30 % storm lets through."""
    with FakeSlack() as fake:
        fake.rate_limit_randomly(0.3, seed=seed, method="auth.test")
        client = WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])
        outcomes = []
        for _ in range(calls):
            try:
                outcomes.append(bool(client.auth_test()["ok"]))
            except SlackApiError as error:
                assert error.response.headers["Retry-After"] == "0"
                outcomes.append(False)
        return outcomes


def test_a_random_storm_is_repeatable_from_its_seed() -> None:
    first, again, other = storm_outcomes(7), storm_outcomes(7), storm_outcomes(8)
    assert first == again and first != other
    assert 0 < first.count(False) < len(first)


def test_a_random_storm_keeps_to_its_method_and_deadline(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.rate_limit_randomly(1.0, seed=1, method="auth.test", until=time.monotonic() + 0.3)
    assert post(client, "k1")["ok"]
    with pytest.raises(SlackApiError, match="ratelimited"):
        client.auth_test()
    time.sleep(0.35)
    assert client.auth_test()["ok"]

    with pytest.raises(ValueError, match="deadline"):
        fake.rate_limit_randomly(0.5, seed=1, until=5)
    with pytest.raises(ValueError, match="probability"):
        fake.rate_limit_randomly(1.5, seed=1)


def test_clear_faults_ends_every_storm_and_pending_fault(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.rate_limit_randomly(1.0, seed=1)
    fake.rate_limit(times=5)
    fake.drop_before("auth.test")
    fake.set_latency(5)
    fake.clear_faults()
    assert client.auth_test()["ok"]
    with pytest.raises(ValueError):
        fake.drop_after("auth.test", times=0)


# -- latency ----------------------------------------------------------------------------------


def test_latency_delays_answers_per_method(fake: FakeSlack, client: WebClient) -> None:
    fake.set_latency(0.2, method="auth.test")

    def timed(call: Any) -> float:
        started = time.monotonic()
        call()
        return time.monotonic() - started

    assert timed(client.auth_test) >= 0.2
    assert timed(lambda: post(client, "k1")) < 0.2
    fake.set_latency(0.1)
    fake.set_latency(0, method="auth.test")  # the method's own setting beats the general one
    assert timed(lambda: post(client, "k2")) >= 0.1
    assert timed(client.auth_test) < 0.1
    with pytest.raises(ValueError):
        fake.set_latency(-1)


def test_hundreds_of_slow_concurrent_calls_overlap(fake: FakeSlack, client: WebClient) -> None:
    """The benchmark's setting: Slack answers in 100 ms, and many calls are under way at once."""
    fake.set_latency(0.1)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=300) as pool:
        answers = list(pool.map(lambda n: post(client, f"k{n}"), range(300)))
    elapsed = time.monotonic() - started

    assert all(answer["ok"] for answer in answers)
    assert len(fake.messages_with_key()) == 300 and fake.doubled_keys() == {}
    # One after another this takes 30 s; refused or stalled connects would cost seconds each.
    assert elapsed < 5, elapsed
