"""Plays Slack's part towards the app: signed slash commands, events and interactivity payloads.

Payloads follow what Slack really sends, so the app's Bolt routing, signature check and ack path
are exercised exactly as in production. Only the stdlib and slack_sdk's signer are used.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack.states import plain

FORM = "application/x-www-form-urlencoded"
# Slack still sends the deprecated verification token; Bolt ignores it.
VERIFICATION_TOKEN = "fake-verification-token"


@dataclass(frozen=True)
class Response:
    """What the app answered. `sent` is the payload we delivered; `event_id` is set for events."""

    status: int
    body: str
    json: Any | None
    elapsed: float
    event_id: str | None = None
    sent: dict[str, Any] | None = None

    @property
    def trigger_id(self) -> str | None:
        """The trigger_id we sent, to match the app's views.open call against."""
        return None if self.sent is None else self.sent.get("trigger_id")


class SlackDriver:
    """Sends requests to `{base_url}/slack/events` signed with the app's signing secret."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        team_id: str = "T0001",
        *,
        team_domain: str = "redthread-test",
        api_app_id: str = "A0001",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        response_url_base: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """`response_url_base`: e.g. `FakeSlack.hooks_url`, so `respond()` lands in the fake."""
        self.events_url = base_url.rstrip("/") + "/slack/events"
        self.signing_secret = signing_secret
        self.team_id, self.team_domain = team_id, team_domain
        self.api_app_id, self.bot_user_id, self.bot_id = api_app_id, bot_user_id, bot_id
        self.response_url_base = response_url_base
        self.timeout = timeout
        self._serial = itertools.count(1)

    # -- transport ---------------------------------------------------------------------------

    def signed_headers(
        self, body: bytes, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """Slack's v0 signature headers; pass an old timestamp or other secret to test refusal."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        verifier = SignatureVerifier(self.signing_secret if secret is None else secret)
        signature = verifier.generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": str(signature)}

    def raw(self, body: bytes, headers: dict[str, str]) -> Response:
        """POSTs exactly these bytes and headers; HTTP errors come back as a Response."""
        request = urllib.request.Request(self.events_url, data=body, method="POST")
        request.add_header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
        for name, value in headers.items():
            request.add_header(name, value)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw_body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw_body = error.code, error.read()
        text = raw_body.decode("utf-8", "replace")
        parsed = None
        if text.lstrip()[:1] in ("{", "["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return Response(status, text, parsed, time.monotonic() - started)

    def _send(
        self,
        body: bytes,
        content_type: str,
        sent: dict[str, Any],
        extra_headers: dict[str, str] | None = None,
    ) -> Response:
        headers = {
            "Content-Type": content_type,
            **self.signed_headers(body),
            **(extra_headers or {}),
        }
        return replace(self.raw(body, headers), sent=sent)

    def send_payload(self, payload: dict[str, Any]) -> Response:
        """Interactivity: Slack form-encodes one `payload` field holding JSON."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, FORM, payload)

    # -- ids Slack would make up -------------------------------------------------------------

    def new_trigger_id(self) -> str:
        serial, random_part = next(self._serial), secrets.randbelow(10**9)
        return f"{serial}{random_part}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"

    def new_event_id(self) -> str:
        return f"Ev{next(self._serial):04d}{secrets.token_hex(4).upper()}"

    def _response_url(self, kind: str, team_id: str) -> str:
        base = self.response_url_base or "https://hooks.slack.com"
        return f"{base}/{kind}/{team_id}/{next(self._serial)}/{secrets.token_hex(12)}"

    def _now_ts(self) -> str:
        return f"{int(time.time())}.{next(self._serial):06d}"

    def _user(self, user_id: str, user_name: str | None, team_id: str) -> dict[str, Any]:
        name = user_name or user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": team_id}

    def _team(self, team_id: str) -> dict[str, Any]:
        return {"id": team_id, "domain": self.team_domain}

    # -- what Slack sends --------------------------------------------------------------------

    def command(
        self,
        command: str = "/daily",
        text: str = "",
        user_id: str = "U0001",
        channel_id: str = "C0001",
        user_name: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        team_id: str | None = None,
        channel_name: str | None = None,
    ) -> Response:
        team = team_id or self.team_id
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name
            or ("directmessage" if channel_id.startswith("D") else "general"),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url("commands", team),
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        return self._send(urlencode(fields).encode(), FORM, fields)

    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        team_id: str | None = None,
        authorizations: list[dict[str, Any]] | None = None,
        event_time: int | None = None,
    ) -> Response:
        """An event_callback; the returned Response carries the `event_id` (reuse it to retry).

        `event_ts` is filled in (from `ts` when present) if the event lacks one.
        """
        team = team_id or self.team_id
        event_id = event_id or self.new_event_id()
        event = dict(event)
        event.setdefault("event_ts", event.get("ts") or self._now_ts())
        if authorizations is None:
            authorizations = [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ]
        envelope: dict[str, Any] = {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "context_team_id": team,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": authorizations,
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(24)}",
        }
        retry = {}
        if retry_num is not None:
            retry = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        response = self._send(json.dumps(envelope).encode(), "application/json", envelope, retry)
        return replace(response, event_id=event_id)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        user_id: str = "U0001",
        private_metadata: str = "",
        view_id: str | None = None,
        hash: str | None = None,
        team_id: str | None = None,
        locale: str | None = None,
        user_name: str | None = None,
        external_id: str = "",
        trigger_id: str | None = None,
    ) -> Response:
        """`values` is {block_id: {action_id: state}}; a bare string state means plain(value).

        `locale`, when given, is sent as `user.locale`.
        """
        team = team_id or self.team_id
        state = {
            block_id: {
                action_id: plain(element) if isinstance(element, str) else element
                for action_id, element in actions.items()
            }
            for block_id, actions in values.items()
        }
        blocks = [
            {
                "type": "input",
                "block_id": block_id,
                "label": {"type": "plain_text", "text": block_id},
                "element": {"type": element["type"], "action_id": action_id},
            }
            for block_id, actions in state.items()
            for action_id, element in actions.items()
        ]
        view_id = view_id or f"V{next(self._serial):010d}"
        user = self._user(user_id, user_name, team)
        if locale is not None:
            user["locale"] = locale
        payload = {
            "type": "view_submission",
            "team": self._team(team),
            "user": user,
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "view": {
                "id": view_id,
                "team_id": team,
                "type": "modal",
                "blocks": blocks,
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": state},
                "hash": hash or f"{int(time.time())}.{secrets.token_hex(4)}",
                "title": {"type": "plain_text", "text": "Redthread", "emoji": True},
                "clear_on_close": False,
                "notify_on_close": False,
                "close": None,
                "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": self.api_app_id,
                "external_id": external_id,
                "app_installed_team_id": team,
                "bot_id": self.bot_id,
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.send_payload(payload)

    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        user_id: str = "U0001",
        channel_id: str = "C0001",
        message_ts: str | None = None,
        *,
        block_id: str | None = None,
        action_type: str = "button",
        action: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        team_id: str | None = None,
        user_name: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> Response:
        """A click on a message element, or inside `view` (a modal/home view) when given.

        `action` is merged into the action, e.g. `{"selected_option": ...}` for selects.
        """
        team = team_id or self.team_id
        clicked: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or f"{action_id}_block",
            "type": action_type,
            "action_ts": self._now_ts(),
        }
        if value is not None:
            clicked |= {"value": value, "text": {"type": "plain_text", "text": value}}
        clicked |= action or {}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, user_name, team),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "team": self._team(team),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "actions": [clicked],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
        else:
            ts = message_ts or (message or {}).get("ts") or self._now_ts()
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": "general"}
            payload["message"] = message or {
                "type": "message",
                "ts": ts,
                "user": self.bot_user_id,
                "text": "",
            }
            payload["response_url"] = response_url or self._response_url("actions", team)
        return self.send_payload(payload)

    def message_shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        channel_id: str = "C0001",
        user_id: str = "U0001",
        *,
        team_id: str | None = None,
        user_name: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> Response:
        team = team_id or self.team_id
        payload = {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": self._now_ts(),
            "team": self._team(team),
            "user": self._user(user_id, user_name, team),
            "channel": {"id": channel_id, "name": "general"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "response_url": response_url or self._response_url("actions", team),
            "message_ts": message.get("ts") or self._now_ts(),
            "message": message,
        }
        return self.send_payload(payload)

    def url_verification(self, challenge: str) -> Response:
        payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self._send(json.dumps(payload).encode(), "application/json", payload)
