"""The first checks on `POST /slack/events`, made on the raw request before anything parses it.

Bolt parses a body before it verifies the signature, so an unsigned body it could not parse
became a 500 with a traceback. Here the body is limited to 1 MB and its signature verified on
the raw bytes first: an unsigned request is 401 whatever it holds, and only signed text is parsed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY_BYTES = 1_048_576
# A refused body is still read, in small pieces thrown away, up to this much: a server that
# closes while the client is still sending resets the connection, and the 413 is never seen.
DISCARDED_BYTES_LIMIT = 16 * MAX_BODY_BYTES
_DISCARD_CHUNK = 64 * 1024
# Slack's rule: a signature older (or newer) than five minutes may be a replay.
MAX_CLOCK_SKEW_SECONDS = 5 * 60


class Rejected(Exception):
    """A request answered with `status` before Bolt sees it; `reason` is for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def read_body(environ: dict[str, Any]) -> bytes:
    """The body, read only when it is at most MAX_BODY_BYTES (413 otherwise)."""
    stream = environ.get("wsgi.input")
    declared = _content_length(environ)
    if stream is None:
        return b""
    if declared is not None:
        if declared > MAX_BODY_BYTES:
            _discard(stream, min(declared, DISCARDED_BYTES_LIMIT))
            raise Rejected(413, f"body of {declared} bytes")
        return bytes(stream.read(declared))
    # Without a length (chunked), reading to the end is safe only where the server says so
    # (PEP 3333); elsewhere the body counts as empty, as Bolt's own adapter takes it.
    if not environ.get("wsgi.input_terminated"):
        return b""
    body = bytes(stream.read(MAX_BODY_BYTES + 1))
    if len(body) > MAX_BODY_BYTES:
        _discard(stream, DISCARDED_BYTES_LIMIT - len(body))
        raise Rejected(413, "body without a length, over the limit")
    return body


def _discard(stream: Any, size: int) -> None:
    while size > 0:
        chunk = stream.read(min(size, _DISCARD_CHUNK))
        if not chunk:
            return
        size -= len(chunk)


def _content_length(environ: dict[str, Any]) -> int | None:
    text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise Rejected(400, "unreadable Content-Length")
    return int(text)


def is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check of slash command URLs, which comes unsigned.

    Answered 200 without reading anything else in it, as Bolt does; nothing else is unsigned.
    """
    if b"ssl_check=" not in body:
        return False
    fields = dict(parse_qsl(body.decode("latin-1")))
    return fields.get("ssl_check") == "1"


def verified_text(body: bytes, environ: dict[str, Any], signing_secret: str) -> str:
    """The body as text, once its Slack signature is valid (401) and it is UTF-8 (400)."""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if not signature_is_valid(signing_secret, body, timestamp, signature, time.time()):
        raise Rejected(401, "no valid signature")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None


def signature_is_valid(
    signing_secret: str, body: bytes, timestamp: str, signature: str, now: float
) -> bool:
    """Slack's v0 signature, checked on the raw bytes.

    slack_sdk's verifier decodes the body first and so raises on bytes that are not UTF-8,
    and on a timestamp that is no number.
    """
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > MAX_CLOCK_SKEW_SECONDS:
        return False
    signed = f"v0:{timestamp}:".encode() + body
    expected = "v0=" + hmac.new(signing_secret.encode(), signed, hashlib.sha256).hexdigest()
    # WSGI headers are latin-1 text; compared as bytes, odd characters cannot raise.
    return hmac.compare_digest(expected.encode(), signature.encode("latin-1", "replace"))


def parsed_body(text: str, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt would take it: a JSON object, a form, or a form's JSON `payload` (400).

    Bolt's own parser takes any form whose text mentions "payload" for an interactivity payload
    and loses a slash command like `/daily today: payload fix` whole.
    """
    try:
        if (content_type or "").split(";")[0] == "application/json" or text.startswith("{"):
            parsed = json.loads(text)
        else:
            fields = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(fields["payload"]) if "payload" in fields else fields
    except (ValueError, RecursionError):
        raise Rejected(400, "body does not parse") from None
    if not isinstance(parsed, dict):
        raise Rejected(400, "body is no JSON object")
    return parsed
