"""Slack's side of multi-workspace installs: `oauth.v2.access` and a bot token per workspace.

A test issues a code for a workspace (`issue_code`), as Slack does when someone approves the
install, and the app exchanges it (grant_type authorization_code) for that workspace's bot
token. With token rotation the token expires and comes with a refresh token, which the app
exchanges (grant_type refresh_token) for a new pair; the old access token then stops working.
Every token the fake hands out belongs to one workspace: `auth.test` answers with it, and
recorded calls carry the token, so a test sees which workspace's token each call used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from bot.sandbox.slack.base import ApiError, Rejected

ROTATION_SECONDS = 43_200  # Slack's rotating tokens last 12 hours


@dataclass(frozen=True)
class Install:
    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    rotation: bool = False


class OAuthApp:
    """Mixed into FakeSlack, which provides `valid_tokens`, `app_id` and the lock."""

    valid_tokens: set[str]
    app_id: str
    team_id: str
    bot_user_id: str
    bot_id: str

    def __init__(self, client_id: str = "1234.5678", client_secret: str = "oauth-secret") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self._codes: dict[str, Install] = {}
        self._refresh_tokens: dict[str, Install] = {}
        self.token_installs: dict[str, Install] = {}
        self._oauth_serial = itertools.count(1)

    def issue_code(
        self,
        team_id: str,
        *,
        team_name: str | None = None,
        bot_user_id: str | None = None,
        rotation: bool = False,
    ) -> str:
        """The `code` Slack puts on the redirect after someone approved the install."""
        serial = next(self._oauth_serial)
        code = f"code-{team_id}-{serial}"
        self._codes[code] = Install(
            team_id,
            team_name or f"Workspace {team_id}",
            bot_user_id or f"UBOT{team_id[1:]}",
            f"B{team_id[1:]}",
            rotation,
        )
        return code

    def install_of(self, token: str | None) -> Install | None:
        return self.token_installs.get(token or "")

    def _oauth_v2_access(
        self, params: dict[str, Any], client: tuple[str, str] | None
    ) -> dict[str, Any]:
        """Client credentials come as HTTP Basic auth (slack_sdk) or as parameters."""
        given = client or (str(params.get("client_id")), str(params.get("client_secret")))
        if given != (self.client_id, self.client_secret):
            raise ApiError(
                "invalid_client_id" if given[0] != self.client_id else "bad_client_secret"
            )
        grant = params.get("grant_type") or "authorization_code"
        if grant == "authorization_code":
            install = self._codes.pop(str(params.get("code")), None)
            if install is None:
                raise ApiError("invalid_code")
        elif grant == "refresh_token":
            install = self._refresh_tokens.pop(str(params.get("refresh_token")), None)
            if install is None:
                raise ApiError("invalid_refresh_token")
            for token, owner in list(self.token_installs.items()):
                if owner == install:  # the old access token is replaced
                    self.valid_tokens.discard(token)
                    del self.token_installs[token]
        else:
            raise Rejected("invalid_arguments", f"unknown grant_type {grant!r}")
        return self._grant(install)

    def _grant(self, install: Install) -> dict[str, Any]:
        serial = next(self._oauth_serial)
        token = f"xoxb-{install.team_id}-{serial}"
        if install.rotation:
            token = f"xoxe.xoxb-{install.team_id}-{serial}"
        self.valid_tokens.add(token)
        self.token_installs[token] = install
        answer: dict[str, Any] = {
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": install.bot_user_id,
            "app_id": self.app_id,
            "team": {"id": install.team_id, "name": install.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0001"},
        }
        if install.rotation:
            refresh = f"xoxe-1-{install.team_id}-{serial}"
            self._refresh_tokens[refresh] = install
            answer |= {"refresh_token": refresh, "expires_in": ROTATION_SECONDS}
        return answer

    def _auth_identity(self, token: str | None) -> dict[str, str]:
        """Whose token it is: an installed workspace's, or the fake's own workspace."""
        install = self.install_of(token)
        if install is None:
            return {"team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}
        return {
            "team_id": install.team_id,
            "user_id": install.bot_user_id,
            "bot_id": install.bot_id,
        }
