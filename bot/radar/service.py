"""The prospect radar's use cases, shared by `/prospect`, the Daily, the Weekly, channel messages
and the CSV import.

Database work happens in short transactions and Slack is called outside them. A flag is
claimed with a unique row (team, channel, thread, subject) before it is posted, so concurrent
events, retries and several processes never flag the same thing twice in one thread; a failed
post releases its claim.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.members import display_names
from bot.posting import Message, post_once, request_post_key
from bot.radar import render
from bot.radar.team_index import Entry, TeamRadar, group_by_company, team_radar
from bot.runtime import Runtime
from bot.schedule import local_date_of
from bot.text import mentioned_user_ids
from storage import radar as store
from storage.channels import find_channel
from storage.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelLocale:
    language: str
    timezone: str


def channel_locale(runtime: Runtime, team_id: str, channel_id: str) -> ChannelLocale:
    """The channel's language and zone; read-only, since a `channels` row turns on its Daily."""
    with transaction(runtime.sessions) as session:
        row = find_channel(session, team_id, channel_id)
        language = row.language if row is not None else None
        timezone = row.timezone if row is not None else None
    return ChannelLocale(
        language=language or runtime.settings.default_language,
        timezone=timezone or runtime.settings.default_timezone,
    )


def _own(entries: Iterable[Entry], kind: str, user_id: str) -> Entry | None:
    return next((e for e in entries if e.kind == kind and e.user_id == user_id), None)


def _names_in(
    runtime: Runtime, client: WebClient, team_id: str, language: str, *texts: str | None
) -> dict[str, str]:
    """Display names of people mentioned in user text, which is shown without pinging them."""
    mentioned = mentioned_user_ids(" ".join(text for text in texts if text))
    return display_names(runtime, client, team_id, mentioned, language) if mentioned else {}


# --- announce ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnounceResult:
    announcement_id: int
    message_ts: str
    flagged: list[Entry]


def announce(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    user_id: str,
    company: str,
    note: str | None,
) -> AnnounceResult:
    """Post the announcement, store it, and flag teammates who know or pursue the company."""
    locale = channel_locale(runtime, team_id, channel_id)
    names = _names_in(runtime, client, team_id, locale.language, company, note)
    text, blocks = render.announcement_message(locale.language, user_id, company, note, names)
    # Keyed by the request: working it off again after a crash finds this post.
    message_ts = post_once(
        runtime,
        client,
        team_id,
        request_post_key("radar-announce"),
        Message(channel_id, text, blocks),
    )
    own = _own(team_radar(runtime, team_id).same_company(company), "prospect", user_id)
    with transaction(runtime.sessions) as session:
        row = store.save_announcement(
            session,
            team_id,
            channel_id,
            user_id,
            company,
            note,
            message_ts,
            runtime.now(),
            own.row_id if own else None,
            private=_is_private(client, channel_id),
        )
        store.bump_version(session, team_id)
        announcement_id = row.id
    teammates = [
        entry
        for entry in team_radar(runtime, team_id).same_company(company)
        if entry.user_id != user_id and entry.visible_in(channel_id)
    ]
    flagged = post_flags(
        runtime, client, team_id, channel_id, message_ts, teammates, in_announcement=True
    )
    return AnnounceResult(announcement_id, message_ts, flagged)


def _is_private(client: WebClient, channel_id: str) -> bool:
    """Whether the channel is private; when Slack cannot say, it is treated as private."""
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        log.warning("conversations.info %s failed: %s", channel_id, error.response.get("error"))
        return True
    return bool(channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim"))


# --- knows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowsResult:
    created: bool
    announcers: list[str]  # whose announcement threads got a flag


def knows(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    user_id: str,
    company: str,
    contact: str | None,
) -> KnowsResult:
    own = _own(team_radar(runtime, team_id).same_company(company), "contact", user_id)
    with transaction(runtime.sessions) as session:
        row, created = store.save_contact(
            session, team_id, user_id, company, contact, runtime.now(), own.row_id if own else None
        )
        store.bump_version(session, team_id)
        entry = Entry("contact", row.id, user_id, company, contact=contact)
    return KnowsResult(created, flag_pursuers(runtime, client, team_id, entry))


def flag_pursuers(
    runtime: Runtime, client: WebClient, team_id: str, contact: Entry, *, tolerate: bool = False
) -> list[str]:
    """Flag a known contact in the thread of every teammate's announcement of that company.

    With `tolerate`, a thread that cannot be posted to (archived channel, deleted message) is
    logged and skipped, for callers whose own work is already done (the import).
    """
    announcers: list[str] = []
    for announcement in team_radar(runtime, team_id).same_company(contact.company):
        if (
            announcement.kind != "prospect"
            or announcement.user_id == contact.user_id
            or not announcement.message_ts
            or not announcement.channel_id
        ):
            continue
        # In its thread the announcement's spelling of the company reads naturally.
        shown = replace(contact, company=announcement.company)
        try:
            posted = post_flags(
                runtime,
                client,
                team_id,
                announcement.channel_id,
                announcement.message_ts,
                [shown],
                in_announcement=True,
            )
        except SlackApiError as error:
            if not tolerate:
                raise
            log.warning("could not flag in %s: %s", announcement.channel_id, error)
            continue
        if posted:
            announcers.append(announcement.user_id)
    return announcers


# --- flags ----------------------------------------------------------------------------------------


def post_flags(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    entries: Sequence[Entry],
    *,
    in_announcement: bool,
) -> list[Entry]:
    """One thread reply naming each entry not yet flagged in this thread; returns those."""
    if not entries:
        return []
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        claimed = [
            entry
            for entry in entries
            if store.claim_flag(
                session, team_id, channel_id, thread_ts, entry.subject, entry.user_id, now
            )
        ]
    if not claimed:
        return []
    # Known contacts first: a warm introduction is the more useful news.
    claimed.sort(key=lambda entry: entry.kind != "contact")
    locale = channel_locale(runtime, team_id, channel_id)
    lines = [_flag_line(entry, locale.timezone) for entry in claimed]
    text, blocks = render.flag_message(locale.language, lines, in_announcement=in_announcement)
    subjects = sorted(entry.subject for entry in claimed)
    key = (
        "radar.flags:"
        + hashlib.sha256("|".join([channel_id, thread_ts, *subjects]).encode()).hexdigest()[:40]
    )
    try:
        post_once(runtime, client, team_id, key, Message(channel_id, text, blocks, thread_ts))
    except BaseException:
        # Not flagged for good: the next mention (or the request worked off again) claims the
        # same subjects, so the same key, and finds the post if it went out after all.
        with transaction(runtime.sessions) as session:
            store.release_flags(session, team_id, channel_id, thread_ts, subjects)
        raise
    return claimed


def _flag_line(entry: Entry, timezone: str) -> render.FlagLine:
    if entry.kind == "prospect" and entry.announced_at is not None:
        since = local_date_of(entry.announced_at, timezone)
        return render.FlagLine(entry.user_id, entry.company, since=since)
    return render.FlagLine(entry.user_id, entry.company, contact=entry.contact)


def flag_mentions(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    text: str,
    author_id: str,
) -> int:
    """Flag, in `thread_ts`, teammates who know or pursue a company the text names.

    For Daily updates, Weekly items and (when the channel turned it on) ordinary messages.
    The author's own entries are skipped, and so is the announcement whose thread this is.
    A flag is an extra: a failure here is logged and never fails the update that triggered
    it. Returns the number of teammates flagged.
    """
    try:
        radar = team_radar(runtime, team_id)
        found: dict[str, Entry] = {}
        for _, entry in radar.mentioned_in(text):
            visible = entry.visible_in(channel_id)
            if visible and entry.user_id != author_id and entry.message_ts != thread_ts:
                found.setdefault(entry.subject, entry)
        flagged = post_flags(
            runtime,
            client,
            team_id,
            channel_id,
            thread_ts,
            list(found.values()),
            in_announcement=False,
        )
        return len(flagged)
    except Exception:
        log.exception("radar flags failed (team=%s channel=%s)", team_id, channel_id)
        return 0


# --- remove, list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoveResult:
    announcements: list[str]  # companies as they were stored
    contacts: list[str]


def remove(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str, company: str
) -> RemoveResult:
    """Remove the caller's own announcement and contact of that company (matched, not exact)."""
    mine = [e for e in team_radar(runtime, team_id).same_company(company) if e.user_id == user_id]
    if not mine:
        return RemoveResult([], [])
    with transaction(runtime.sessions) as session:
        gone_announcements, gone_contacts = store.delete_own(
            session,
            team_id,
            user_id,
            [e.row_id for e in mine if e.kind == "prospect"],
            [e.row_id for e in mine if e.kind == "contact"],
        )
        store.bump_version(session, team_id)
        withdrawn = [(row.channel_id, row.message_ts, row.company) for row in gone_announcements]
        contact_companies = [row.company for row in gone_contacts]
    for channel_id, message_ts, shown in withdrawn:
        if message_ts:
            _mark_withdrawn(runtime, client, team_id, channel_id, message_ts, user_id, shown)
    return RemoveResult([shown for _, _, shown in withdrawn], contact_companies)


def _mark_withdrawn(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    company: str,
) -> None:
    """Strike the announcement through, so the channel does not keep a stale plan (and note)."""
    language = channel_locale(runtime, team_id, channel_id).language
    text, blocks = render.withdrawn_message(language, user_id, company)
    try:
        client.chat_update(channel=channel_id, ts=message_ts, text=text, blocks=blocks)
    except SlackApiError as error:  # deleted by hand, or the channel is archived
        log.info("could not mark announcement %s withdrawn: %s", message_ts, error)


def list_message(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    user_id: str,
    language: str,
) -> render.Message:
    """The team's prospects and known companies; contact names only for the caller's own.

    A private channel's announcements are listed only there (and always to their author).
    """
    radar = team_radar(runtime, team_id)
    prospects = [
        visible
        for group in _groups(radar, "prospect")
        if (visible := [e for e in group if e.visible_in(channel_id) or e.user_id == user_id])
    ]
    contacts = _groups(radar, "contact")
    people = {entry.user_id for entry in radar.entries.values()} - {user_id}
    names = display_names(runtime, client, team_id, sorted(people), language) if people else {}
    timezone = runtime.settings.default_timezone
    return render.list_message(
        language,
        [
            render.CompanyGroup(
                group[0].company,
                [
                    render.ListedProspect(
                        e.user_id,
                        local_date_of(e.announced_at, timezone),
                        e.user_id == user_id,
                    )
                    for e in group
                    if e.announced_at is not None
                ],
            )
            for group in prospects
        ],
        [
            render.CompanyGroup(
                group[0].company,
                [
                    render.ListedContact(
                        e.user_id, e.contact if e.user_id == user_id else None, e.user_id == user_id
                    )
                    for e in group
                ],
            )
            for group in contacts
        ],
        names,
    )


def _groups(radar: TeamRadar, kind: str) -> list[list[Entry]]:
    entries = [entry for entry in radar.entries.values() if entry.kind == kind]
    groups = group_by_company(radar, entries)
    return sorted(groups, key=lambda group: group[0].company.casefold())


# --- the channel setting --------------------------------------------------------------------------


def scans_messages(runtime: Runtime, team_id: str, channel_id: str) -> bool:
    with transaction(runtime.sessions) as session:
        return store.scans_messages(session, team_id, channel_id)


def set_scan_messages(
    runtime: Runtime, client: WebClient, team_id: str, channel_id: str, user_id: str, enabled: bool
) -> bool:
    """Store the setting; a change is announced in the channel, whose messages it concerns."""
    with transaction(runtime.sessions) as session:
        before = store.scans_messages(session, team_id, channel_id)
        store.set_scan_messages(session, team_id, channel_id, enabled, runtime.now())
    if before == enabled:
        return False
    language = channel_locale(runtime, team_id, channel_id).language
    name = display_names(runtime, client, team_id, [user_id], language)[user_id]
    text = render.scan_notice(language, name, enabled)
    post_once(runtime, client, team_id, request_post_key("radar-scan"), Message(channel_id, text))
    return True
