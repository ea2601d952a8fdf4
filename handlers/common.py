"""What every listener needs: the workspace of a request, telling a user, reporting failures."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack, Args, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.daily.settings_form import SettingsError
from bot.i18n import translate
from bot.members import user_language
from bot.runtime import Runtime
from bot.text import decode_slack_text

log = logging.getLogger(__name__)
Listener = TypeVar("Listener", bound=Callable[..., None])


def workspace_id(body: dict[str, Any], context: BoltContext | None = None) -> str:
    """The workspace a request acts for; in shared channels the installing one (authorizations)."""
    authorizations = body.get("authorizations") or []
    if authorizations and authorizations[0].get("team_id"):
        return str(authorizations[0]["team_id"])
    if context is not None and context.team_id:
        return str(context.team_id)
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return str(body.get("team_id") or body.get("user", {}).get("team_id") or "")


def acknowledge(ack: Ack, body: dict[str, Any]) -> bool:
    """The synchronous part of most listeners: Slack gets its answer before any work starts."""
    ack()
    return True


def acknowledge_form(ack: Ack, language: str, validate: Callable[[], object]) -> bool:
    """A settings modal's ack: a validation error is answered in the ack itself, so Slack shows
    it on the field, and then no work follows."""
    try:
        validate()
    except SettingsError as problem:
        ack(
            response_action="errors",
            errors={problem.block_id: translate(language, problem.message_key)},
        )
        return False
    ack()
    return True


def acknowledge_then(
    work: Callable[..., None],
    after_ack: Executor,
    acknowledge_with: Callable[[Ack, dict[str, Any]], bool] = acknowledge,
) -> Callable[[Args], None]:
    """A listener that acks in the request thread, then runs `work` on the after-ack executor.

    Bolt's lazy listeners do the same but deep-copy the whole request (context, clients,
    say/respond) in the request thread first, which cost more than the rest of the ack under
    load (bench/ack_latency.py). Bolt does not touch the request after the listener returns,
    so the work can use it as it is. `acknowledge_with` may answer with an error instead
    (a modal's validation) and return False: then no work is done.
    """
    wanted = list(inspect.signature(work).parameters)

    def listener(args: Args) -> None:
        if acknowledge_with(args.ack, args.body):
            after_ack.submit(work, **{name: getattr(args, name) for name in wanted})

    listener.__name__ = f"acknowledge_then_{work.__name__}"
    return listener


def tell_user(
    client: WebClient,
    channel_id: str | None,
    user_id: str,
    text: str,
    respond: Callable[..., Any] | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """An ephemeral message; via the response URL when the bot cannot post in the channel."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            if respond is None:
                raise
            log.info("postEphemeral failed (%s); using response_url", error.response.get("error"))
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        log.warning("no way to tell %s a message", user_id)  # its text may quote the user


@dataclass(frozen=True)
class SlashCommand:
    """Who ran a slash command where, what they typed (decoded), and how to answer only them."""

    team_id: str
    channel_id: str
    user_id: str
    language: str
    text: str
    client: WebClient
    respond: Respond

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """Workspace, channel, user and the user's language."""
        return self.team_id, self.channel_id, self.user_id, self.language

    @property
    def in_direct_message(self) -> bool:
        return self.channel_id.startswith("D")

    def tell(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        # In a DM the bot may not be a member: answer through the command's response URL.
        where = None if self.in_direct_message else self.channel_id
        tell_user(self.client, where, self.user_id, text, self.respond, blocks=blocks)

    def tell_key(self, key: str, blocks: list[dict[str, Any]] | None = None, **values: Any) -> None:
        self.tell(translate(self.language, key, **values), blocks)


def slash_command(
    runtime: Runtime,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> SlashCommand:
    team_id, user_id = workspace_id(body, context), body["user_id"]
    return SlashCommand(
        team_id=team_id,
        channel_id=body["channel_id"],
        user_id=user_id,
        language=user_language(runtime, client, team_id, user_id),
        text=decode_slack_text(body.get("text", "")),
        client=client,
        respond=respond,
    )


def report_failures(runtime: Runtime) -> Callable[[Listener], Listener]:
    """Log any error after the ack with context, and tell the user whose action failed.

    Bolt would otherwise log a bare message from its executor; here the traceback, the
    workspace, channel and user land in the log, and the user is not left waiting.
    """

    def decorate(listener: Listener) -> Listener:
        @functools.wraps(listener)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            try:
                listener(*args, **kwargs)
            except Exception as error:
                body: dict[str, Any] = kwargs.get("body") or {}
                team_id = workspace_id(body, kwargs.get("context"))
                channel_id = _channel_of(body)
                user_id = _user_of(body)
                log.exception(
                    "%s failed (team=%s channel=%s user=%s)",
                    listener.__name__,
                    team_id,
                    channel_id,
                    user_id,
                )
                client: WebClient | None = kwargs.get("client")
                if client is not None and user_id:
                    _apologise(runtime, client, team_id, channel_id, user_id, error, kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _apologise(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str | None,
    user_id: str,
    error: Exception,
    kwargs: dict[str, Any],
) -> None:
    reason = (
        str(error.response.get("error")) if isinstance(error, SlackApiError) else "internal_error"
    )
    try:
        language = user_language(runtime, client, team_id, user_id)
    except Exception:
        language = runtime.settings.default_language
    try:
        tell_user(
            client,
            channel_id,
            user_id,
            translate(language, "error.unexpected", error=reason),
            respond=kwargs.get("respond"),
        )
    except Exception:
        log.exception("could not tell %s about the failure", user_id)


def _channel_of(body: dict[str, Any]) -> str | None:
    event = body.get("event") or {}
    channel = body.get("channel_id") or event.get("channel") or event.get("item", {}).get("channel")
    if not channel and isinstance(body.get("channel"), dict):
        channel = body["channel"].get("id")
    return str(channel) if channel else None


def _user_of(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or (body.get("event") or {}).get("user")
    if not user and isinstance(body.get("user"), dict):
        user = body["user"].get("id")
    return str(user) if user else None
