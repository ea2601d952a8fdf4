"""The Slack app manifest shipped with the package, filled in for one deployment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST_PATH = Path(__file__).parent / "manifest.json"
PLACEHOLDER = "https://YOUR-HOST"
# Only `import-contacts` with e-mail addresses in `known_by` needs to read e-mail addresses;
# a workspace should not have to grant that to every install (bot/radar/importer.py).
EMAIL_SCOPE = "users:read.email"


def render_manifest(
    public_url: str | None = None, *, socket_mode: bool = False, email_import: bool = False
) -> dict[str, Any]:
    """HTTP mode needs the public URL in every request URL; Socket Mode needs none at all.
    `email_import` adds the scope that importing contacts known by e-mail address needs."""
    text = MANIFEST_PATH.read_text(encoding="utf-8")
    if public_url:
        text = text.replace(PLACEHOLDER, public_url.rstrip("/"))
    manifest: dict[str, Any] = json.loads(text)
    if email_import:
        manifest["oauth_config"]["scopes"]["bot"].append(EMAIL_SCOPE)
    if socket_mode:
        settings = manifest["settings"]
        settings["socket_mode_enabled"] = True
        settings["event_subscriptions"].pop("request_url", None)
        settings["interactivity"].pop("request_url", None)
        for command in manifest["features"]["slash_commands"]:
            command.pop("url", None)
        manifest["oauth_config"].pop("redirect_urls", None)
    return manifest
