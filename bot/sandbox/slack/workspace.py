"""The Slack side of the fake: one workspace's users, channels, messages and views.

Each Web API method the bot uses has a handler here that answers the way Slack does, including
the errors a correct app must cope with. Messages and their listings live in `history.py`, the
HTTP and bookkeeping side in `server.py`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.slack.base import FIRST_TS, ApiError, Handler, Rejected, truthy
from bot.sandbox.slack.blockkit import check_view
from bot.sandbox.slack.history import ChannelMessages

__all__ = ["ApiError", "Handler", "Rejected", "Workspace", "truthy"]


class Workspace(ChannelMessages):
    """State the fake Slack answers from; tests configure it directly or through the helpers."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team_domain: str = "redthread-test",
        team_name: str = "Redthread Test",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        app_id: str = "A0001",
    ) -> None:
        ChannelMessages.__init__(self)
        self.team_id, self.team_domain, self.team_name = team_id, team_domain, team_name
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[str]] = {}
        self.missing_channels: set[str] = set()
        self.views: dict[str, dict[str, Any]] = {}
        self.reactions: set[tuple[str, str, str]] = set()
        # Where apps.connections.open sends the app (a test's Socket Mode server), by ticket.
        self.socket_mode_url: Callable[[str], str] | None = None
        # users:read.email is optional (`manifest --with-email-import`); a test may withdraw it.
        self.email_scope_granted = True
        # Reentrant: the server holds it while a handler runs and handlers call the helpers.
        self._condition = threading.Condition(threading.RLock())
        self._serial = 0
        self.handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "reactions.add": self._reactions_add,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(bot_user_id, name="Redthread", is_bot=True)

    # -- workspace state --------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
        tz: str = "Europe/Berlin",
        display_name: str | None = None,
        email: str | None = None,
    ) -> dict[str, Any]:
        """Adds (or replaces) a user as users.info describes them; `name` is the person's name."""
        real_name = name or user_id
        offset = ZoneInfo(tz).utcoffset(datetime(2026, 1, 15))
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": real_name.lower().replace(" ", "."),
            "real_name": real_name,
            "deleted": deleted,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {
                "real_name": real_name,
                "display_name": real_name if display_name is None else display_name,
                **({"email": email} if email else {}),
                "team": self.team_id,
            },
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": FIRST_TS,
            "locale": locale,
        }
        with self._condition:
            self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str | None = None, is_private: bool = False
    ) -> None:
        with self._condition:
            self.channels[channel_id] = {
                "name": name or channel_id.lower(),
                "is_private": is_private,
            }
            self.members.setdefault(channel_id, [])

    def set_members(self, channel_id: str, user_ids: list[str]) -> None:
        with self._condition:
            if channel_id not in self.channels:
                self.add_channel(channel_id)
            self.members[channel_id] = list(user_ids)

    # -- method implementations (called with the lock held) ---------------------------------

    def _next_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}0{self._serial:08d}"

    def _resolve_channel(self, channel: str) -> str:
        """Posting to a user ID lands in the bot's DM with them, which has a D… ID."""
        return f"D{channel[1:]}" if channel[:1] in ("U", "W") else channel

    def _channel(self, params: dict[str, Any], key: str = "channel") -> str:
        if not params.get(key):
            raise Rejected("invalid_arguments", f"missing required argument {key!r}")
        channel = self._resolve_channel(str(params[key]))
        if channel in self.missing_channels or params[key] in self.missing_channels:
            raise ApiError("channel_not_found")
        return channel

    def _auth_identity(self, token: str | None) -> dict[str, str]:
        """Whose token it is (the OAuth side knows the installed workspaces' tokens)."""
        return {"team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}

    def _auth_test(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        identity = self._auth_identity(token)
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.users.get(identity["user_id"], {}).get("name", "redthread"),
            **identity,
            "is_enterprise_install": False,
        }

    def _chat_post_ephemeral(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_message(params)
        user = str(params.get("user"))
        if user not in self.users:
            raise ApiError("user_not_found")
        if channel in self.members and user not in self.members[channel]:
            raise ApiError("user_not_in_channel")
        return {"message_ts": self._next_ts()}

    def _chat_get_permalink(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        ts = str(params.get("message_ts", "")).replace(".", "")
        url = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts}"
        return {"channel": channel, "permalink": url}

    def _store_view(self, view: Any, *, replacing: dict[str, Any] | None = None) -> dict[str, Any]:
        if not isinstance(view, dict) or "type" not in view:
            raise Rejected("invalid_arguments", "view must be a JSON object with a type")
        for key in ("title", "submit", "close"):
            if len(((view.get(key) or {}).get("text")) or "") > 24:
                raise Rejected("invalid_arguments", f"view {key} must be at most 24 characters")
        if view["type"] == "modal" and not view.get("title"):
            raise Rejected("invalid_arguments", "a modal needs a title")
        if len(view.get("private_metadata") or "") > 3000:
            raise Rejected("invalid_arguments", "too much private_metadata")
        check_view(view)
        view_id = replacing["id"] if replacing else self._next_id("V")
        stored = {"callback_id": "", "private_metadata": "", "external_id": "", **view}
        stored |= {"id": view_id, "team_id": self.team_id, "state": {"values": {}}}
        self._serial += 1  # every version of a view gets a new hash
        stored |= {"hash": f"{FIRST_TS}.{self._serial:08x}", "app_id": self.app_id}
        stored |= {"bot_id": self.bot_id, "app_installed_team_id": self.team_id}
        stored["root_view_id"] = replacing["root_view_id"] if replacing else view_id
        stored["previous_view_id"] = None
        self.views[view_id] = stored
        return {"view": stored}

    def _views_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            raise Rejected("invalid_arguments", "views.open/push need a trigger_id")
        return self._store_view(params.get("view"))

    def _views_update(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        by_external = [
            v for v in self.views.values() if external_id and v["external_id"] == external_id
        ]
        current = self.views.get(str(view_id)) if view_id else next(iter(by_external), None)
        if current is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        return self._store_view(params.get("view"), replacing=current)

    def _views_publish(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if str(params.get("user_id")) not in self.users:
            raise ApiError("user_not_found")
        home = next((v for v in self.views.values() if v.get("user_id") == params["user_id"]), None)
        if params.get("hash") and (home is None or params["hash"] != home["hash"]):
            raise ApiError("hash_conflict")  # published meanwhile: the caller's view is stale
        published = self._store_view(params.get("view"), replacing=home)
        published["view"]["user_id"] = params["user_id"]
        return published

    def _users_lookup_by_email(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        """Matches the profile e-mail case-insensitively, as Slack does; needs its own scope."""
        if not self.email_scope_granted:
            raise ApiError("missing_scope")
        wanted = str(params.get("email") or "").lower()
        if not wanted:
            raise Rejected("invalid_arguments", "missing required argument 'email'")
        for user in self.users.values():
            if str(user["profile"].get("email") or "").lower() == wanted:
                return {"user": json.loads(json.dumps(user))}
        raise ApiError("users_not_found")

    def _users_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user = self.users.get(str(params.get("user")))
        if user is None:
            raise ApiError("user_not_found")
        answer = json.loads(json.dumps(user))
        if not truthy(params.get("include_locale")):
            answer.pop("locale", None)
        return {"user": answer}

    def _conversations_members(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        if channel not in self.members:
            raise ApiError("channel_not_found")
        members = self.members[channel]
        start = 0
        if params.get("cursor"):
            try:
                start = members.index(base64.b64decode(params["cursor"]).decode()[len("user:") :])
            except (ValueError, binascii.Error):
                raise ApiError("invalid_cursor") from None
        limit = int(params.get("limit") or 100)
        page = members[start : start + limit]
        rest = members[start + limit :]
        cursor = base64.b64encode(f"user:{rest[0]}".encode()).decode() if rest else ""
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel_id = self._channel(params)
        is_im = channel_id.startswith("D")
        if channel_id not in self.channels and not is_im:
            raise ApiError("channel_not_found")
        facts = self.channels.get(channel_id, {"name": channel_id.lower(), "is_private": True})
        members = self.members.get(channel_id, [])
        channel = {
            "id": channel_id,
            "name": facts["name"],
            "name_normalized": facts["name"],
            "is_channel": not facts["is_private"] and not is_im,
            "is_group": False,
            "is_im": is_im,
            "is_private": facts["is_private"],
            "is_archived": False,
            "is_general": False,
            "is_member": self.bot_user_id in members or is_im,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": FIRST_TS - 86_400,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if truthy(params.get("include_num_members")):
            channel["num_members"] = len(members)
        return {"channel": channel}

    def _reactions_add(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self._channel(params)
        reaction = (channel, str(params.get("timestamp")), str(params.get("name")))
        if reaction in self.reactions:
            raise ApiError("already_reacted")
        self.reactions.add(reaction)
        return {}

    def _apps_connections_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if not token.startswith("xapp-"):
            raise ApiError("not_allowed_token_type")
        self._serial += 1
        ticket = f"fake-{self._serial}"
        if self.socket_mode_url is not None:
            return {"url": self.socket_mode_url(ticket)}
        return {"url": f"wss://wss-primary.slack.com/link/?ticket={ticket}"}
