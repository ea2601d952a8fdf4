"""Which parameters each Slack Web API method takes, so the stand-in refuses calls Slack would
refuse (a misspelt or made-up parameter is a bug in the app, not something to wave through)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

# Generated from Slack's OpenAPI spec by bench/slack_spec_params.py; shipped in the package.
SPEC_FILE = "slack_spec_params.json"

# The spec is from October 2020. Slack added these methods and parameters since, and slack_sdk
# 3.48 sends them; everything else the spec does not list is rejected as a likely typo.
NEWER_METHODS: dict[str, frozenset[str]] = {
    "apps.connections.open": frozenset(),  # Socket Mode, 2021; the app-level token is the only arg
}
NEWER_PARAMS: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"metadata", "markdown_text", "container_id"}),
    "chat.update": frozenset({"metadata", "markdown_text", "reply_broadcast", "file_ids"}),
    "chat.postEphemeral": frozenset({"markdown_text"}),
    "chat.scheduleMessage": frozenset({"metadata", "markdown_text"}),
    "conversations.history": frozenset({"include_all_metadata"}),
    "conversations.replies": frozenset({"include_all_metadata"}),
    "views.open": frozenset({"interactivity_pointer"}),  # replaces trigger_id for workflow steps
    "views.push": frozenset({"interactivity_pointer"}),
    "oauth.v2.access": frozenset({"grant_type", "refresh_token"}),  # token rotation, 2021
}
# Methods an app calls with its client id and secret instead of a token.
CLIENT_AUTH_METHODS = frozenset({"oauth.v2.access"})
# Every method accepts these: the token moves to the Authorization header, and Bolt's per-request
# WebClient(team_id=...) adds team_id to *every* call (org-wide apps need it; Slack ignores it).
UNIVERSAL_PARAMS = frozenset({"token", "team_id"})


@cache
def known_params() -> dict[str, frozenset[str]]:
    spec = resources.files(__package__).joinpath(SPEC_FILE).read_text(encoding="utf-8")
    methods = json.loads(spec)["methods"]
    known = {name: frozenset(params) for name, params in methods.items()}
    for name, params in NEWER_METHODS.items():
        known[name] = known.get(name, frozenset()) | params
    for name, params in NEWER_PARAMS.items():
        known[name] = known[name] | params
    return known
