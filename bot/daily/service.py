"""The Daily's use cases, shared by the Slack listeners and the clock's jobs.

Each function does its database work in short transactions and calls Slack outside them, so
a slow Web API call never holds a lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.daily import render
from bot.daily.calendar import DAILY_NONE, reminder_time
from bot.daily.parse import DailyFields
from bot.daily.rules import (
    DEFAULT_PROMPT_AT,
    DEFAULT_REMINDER_AT,
    DEFAULT_SUMMARY_AT,
    DEFAULT_WEEKDAYS,
    DailySchedule,
    UpdateFacts,
    daily_date_for_answer_at,
    members_to_remind,
    schedule_from_settings,
    serialise_weekdays,
    summarise,
)
from bot.holidays import effective_region, holiday_name
from bot.i18n import translate
from bot.members import (
    away_by_status,
    display_names,
    human_members,
    presence_of,
    user_language,
)
from bot.posting import Message, post_once
from bot.radar.service import flag_mentions
from bot.runtime import Runtime
from bot.schedule import local_date_of, local_to_utc
from bot.text import mentioned_user_ids
from storage import daily as store
from storage.channels import channel_settings
from storage.db import transaction
from storage.models import Daily

log = logging.getLogger(__name__)
# Answers about one person (gone, left the channel): their reminder is dropped, not retried.
NOT_REMINDABLE = frozenset({"user_not_found", "user_not_in_channel", "user_disabled"})


@dataclass(frozen=True)
class ChannelConfig:
    team_id: str
    channel_id: str
    language: str
    schedule: DailySchedule
    state: str = DAILY_NONE  # whether the Daily is scheduled here (bot.daily.calendar)
    # The channel's own choice (None: the default, "off": none) and the region in effect.
    holiday_choice: str | None = None
    holiday_region: str | None = None


# A channel never seen: the defaults, its Daily not scheduled (the columns `channel_settings`
# reads).
_UNSEEN_CHANNEL = SimpleNamespace(
    language=None,
    daily_weekdays=serialise_weekdays(DEFAULT_WEEKDAYS),
    daily_prompt_time=DEFAULT_PROMPT_AT.strftime("%H:%M"),
    daily_reminder_time=DEFAULT_REMINDER_AT.strftime("%H:%M"),
    daily_summary_time=DEFAULT_SUMMARY_AT.strftime("%H:%M"),
    timezone=None,
    daily_state=DAILY_NONE,
    holiday_region=None,
)


def channel_config(runtime: Runtime, team_id: str, channel_id: str) -> ChannelConfig:
    """The channel's Daily settings; read only (a channel never seen gets the defaults).

    A read without a write transaction: on SQLite that would queue behind every writer of the
    process, and the clock reads every channel's settings in a burst."""
    row: Any = channel_settings(runtime.engine, team_id, channel_id) or _UNSEEN_CHANNEL
    return ChannelConfig(
        team_id=team_id,
        channel_id=channel_id,
        language=row.language or runtime.settings.default_language,
        schedule=schedule_from_settings(
            row.daily_weekdays,
            row.daily_prompt_time,
            row.daily_reminder_time,
            row.daily_summary_time,
            row.timezone or runtime.settings.default_timezone,
        ),
        state=row.daily_state,
        holiday_choice=row.holiday_region,
        holiday_region=effective_region(
            row.holiday_region, runtime.settings.default_holiday_region
        ),
    )


def local_day(runtime: Runtime, config: ChannelConfig, at: datetime | None = None) -> date:
    return local_date_of(at or runtime.now(), config.schedule.timezone)


def ensure_prompt(runtime: Runtime, client: WebClient, config: ChannelConfig, day: date) -> Daily:
    """The day's prompt, posted exactly once whoever asks first (clock, re-run, an answer)."""
    # Single statements, each standing alone: the clock runs this for every channel at once.
    daily = store.get_or_create_daily(runtime.engine, config.team_id, config.channel_id, day)
    if daily.prompt_ts:
        return daily
    text, blocks = render.prompt_message(config.language, day)
    ts = post_once(
        runtime,
        client,
        config.team_id,
        f"daily.prompt:{daily.id}",
        Message(config.channel_id, text, blocks),
    )
    store.record_prompt(runtime.engine, daily.id, ts)
    daily.prompt_ts = ts  # the caller's copy, not attached to any session
    return daily


@dataclass(frozen=True)
class SubmitResult:
    daily: Daily
    edited: bool


def current_daily_day(runtime: Runtime, config: ChannelConfig) -> date:
    """The Daily an answer given now joins (early, today's, or the last one held)."""
    now = runtime.now()
    today = local_day(runtime, config, now)
    with transaction(runtime.sessions) as session:
        latest = store.latest_daily_on_or_before(session, config.team_id, config.channel_id, today)
        cancelled = store.cancelled_days(
            session, config.team_id, config.channel_id, today - timedelta(days=366)
        )

    def is_day_off(day: date) -> bool:
        return day in cancelled or holiday_name(config.holiday_region, day) is not None

    latest_day = latest.local_date if latest else None
    return daily_date_for_answer_at(now, config.schedule, latest_day, is_day_off)


def current_fields(runtime: Runtime, config: ChannelConfig, user_id: str) -> DailyFields | None:
    """What the member has posted in the current Daily, to pre-fill the modal."""
    day = current_daily_day(runtime, config)
    with transaction(runtime.sessions) as session:
        daily = store.find_daily(session, config.team_id, config.channel_id, day)
        row = store.find_update(session, daily.id, user_id) if daily else None
    return DailyFields(row.plan, row.highlight, row.impediment) if row else None


def submit_update(
    runtime: Runtime,
    client: WebClient,
    config: ChannelConfig,
    user_id: str,
    fields: DailyFields,
    *,
    day: date | None = None,
    reply_ts: str | None = None,
    replace: bool = False,
    cleared: frozenset[str] = frozenset(),
) -> SubmitResult:
    """Store a member's update and show it in the day's thread, editing instead of reposting.

    `cleared` names fields to empty after merging (an edited reply that dropped them)."""
    daily = ensure_prompt(runtime, client, config, day or current_daily_day(runtime, config))
    with transaction(runtime.sessions) as session:
        row, created = store.lock_update(session, daily, user_id, runtime.now())
        if not created and not replace:
            fields = fields.merged_over(DailyFields(row.plan, row.highlight, row.impediment))
        fields = fields.without(cleared)
        store.write_update(
            row,
            plan=fields.plan,
            highlight=fields.highlight,
            impediment=fields.impediment,
            now=runtime.now(),
            reply_ts=reply_ts,
        )
        update_id, posted_ts = row.id, row.posted_ts
    edited = not created
    if posted_ts or reply_ts is None:
        _show_update(runtime, client, config, daily, update_id)
    if daily.summary_ts:
        refresh_summary(runtime, client, config, daily)
    # The prospect radar flags, in this thread, teammates who know a company the update names.
    flag_mentions(
        runtime,
        client,
        config.team_id,
        config.channel_id,
        str(daily.prompt_ts),
        "\n".join(filter(None, (fields.plan, fields.highlight, fields.impediment))),
        user_id,
    )
    return SubmitResult(daily=daily, edited=edited)


def _show_update(
    runtime: Runtime, client: WebClient, config: ChannelConfig, daily: Daily, update_id: int
) -> None:
    """Post the member's reply once, or edit it, always showing what is stored last.

    Quick resubmissions race each other; whoever finishes last re-reads the row and, when it
    changed meanwhile, edits again, so the thread ends with the latest version.
    """
    for _ in range(3):
        with transaction(runtime.sessions) as session:
            row = store.get_update(session, update_id)
        fields = DailyFields(row.plan, row.highlight, row.impediment)
        people = [row.user_id, *_mentioned(fields)]
        names = display_names(runtime, client, config.team_id, people, config.language)
        text, blocks = render.update_message(config.language, names[row.user_id], fields, names)
        if row.posted_ts:
            client.chat_update(
                channel=config.channel_id, ts=row.posted_ts, text=text, blocks=blocks
            )
        else:
            ts = _reply_in_thread(
                runtime, client, config, daily, f"daily.update:{update_id}", text, blocks
            )
            with transaction(runtime.sessions) as session:
                store.record_update_post(session, update_id, ts)
        with transaction(runtime.sessions) as session:
            latest = store.get_update(session, update_id)
            if DailyFields(latest.plan, latest.highlight, latest.impediment) == fields:
                return


def _reply_in_thread(
    runtime: Runtime,
    client: WebClient,
    config: ChannelConfig,
    daily: Daily,
    key: str,
    text: str,
    blocks: list[dict],
) -> str:
    return post_once(
        runtime,
        client,
        config.team_id,
        key,
        Message(config.channel_id, text, blocks, thread_ts=str(daily.prompt_ts)),
    )


def _mentioned(fields: DailyFields) -> list[str]:
    return mentioned_user_ids(
        " ".join(filter(None, (fields.plan, fields.highlight, fields.impediment)))
    )


def take_back_reply(
    runtime: Runtime, client: WebClient, team_id: str, channel_id: str, reply_ts: str
) -> Daily | None:
    """A member deleted their reply that was their update: the update goes, and the bot's copy
    of it (posted when they had also used `/daily`). Returns the Daily it belonged to.

    Slack first, the database after: a retry after a failure finds the row still there, and
    the copy deleted already counts as done.
    """
    with transaction(runtime.sessions) as session:
        row = store.update_by_reply(session, team_id, channel_id, reply_ts)
        if row is None:
            return None
        update_id, posted_ts = row.id, row.posted_ts
        daily = store.get_daily(session, row.daily_id)
    if posted_ts:
        try:
            client.chat_delete(channel=channel_id, ts=posted_ts)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise
    with transaction(runtime.sessions) as session:
        store.delete_update(session, update_id)
    return daily


@dataclass(frozen=True)
class ReminderRound:
    """What one reminder run did: who was reminded, who waits for their 08:00 (quiet hours)
    and from when, and how many stay in quiet hours until the summary (not reminded)."""

    reminded: list[str]
    waiting: int = 0
    next_at: datetime | None = None
    dropped: int = 0


def send_reminders(
    runtime: Runtime, client: WebClient, config: ChannelConfig, day: date
) -> list[str]:
    return remind(runtime, client, config, day).reminded


def remind(runtime: Runtime, client: WebClient, config: ChannelConfig, day: date) -> ReminderRound:
    """One gentle ephemeral reminder to each member who has neither answered nor is away,
    within 08:00–19:00 of their own time zone (`bot.daily.calendar.reminder_time`)."""
    daily = ensure_prompt(runtime, client, config, day)
    members = human_members(runtime, client, config.team_id, config.channel_id)
    with transaction(runtime.sessions) as session:
        answered = [row.user_id for row in store.updates_of(session, daily.id)]
        absent = store.absences_on(session, config.team_id, config.channel_id, day)
    to_remind = members_to_remind(members, answered, absent)
    presence = presence_of(runtime, client, to_remind)
    now = runtime.now()
    schedule = config.schedule
    # A summary already out (posted by hand) ends the waiting at once.
    summary_at = (
        now if daily.summary_ts else local_to_utc(day, schedule.summary_at, schedule.timezone)
    )
    reminded: list[str] = []
    later: list[datetime] = []
    dropped = 0
    for user_id in to_remind:
        facts = presence.get(user_id)
        if facts is None or facts.away is not None:
            continue
        when = reminder_time(now, facts.timezone, schedule.timezone, summary_at)
        if when is None:
            dropped += 1
        elif when > now:
            later.append(when)
        elif _remind_one(runtime, client, config, daily, user_id):
            reminded.append(user_id)
    return ReminderRound(reminded, len(later), min(later, default=None), dropped)


def _remind_one(
    runtime: Runtime, client: WebClient, config: ChannelConfig, daily: Daily, user_id: str
) -> bool:
    """True when this run reminded the member (never twice for one Daily)."""
    with transaction(runtime.sessions) as session:
        first_time = store.mark_reminded(session, daily, user_id)
    if not first_time:
        return False
    language = user_language(runtime, client, config.team_id, user_id)
    try:
        client.chat_postEphemeral(
            channel=config.channel_id, user=user_id, text=translate(language, "daily.reminder")
        )
    except SlackApiError as error:
        if error.response.get("error") in NOT_REMINDABLE:
            log.info("no reminder for %s: %s", user_id, error.response.get("error"))
            return False  # this person only: the others still get theirs
        # Slack answered: not sent, so the next run may remind. (A lost answer keeps the
        # mark: an ephemeral cannot be looked up, and one reminder is the promise.)
        with transaction(runtime.sessions) as session:
            store.unmark_reminded(session, daily, user_id)
        raise
    return True


def post_summary(runtime: Runtime, client: WebClient, config: ChannelConfig, day: date) -> Daily:
    """Reply with the summary in the thread once; later runs and late answers edit it."""
    daily = ensure_prompt(runtime, client, config, day)
    if daily.summary_ts:
        refresh_summary(runtime, client, config, daily)
        return daily
    summary_text, summary_blocks, prompt_text, prompt_blocks = _render_summary(
        runtime, client, config, daily
    )
    summary_ts = _reply_in_thread(
        runtime, client, config, daily, f"daily.summary:{daily.id}", summary_text, summary_blocks
    )
    with transaction(runtime.sessions) as session:
        store.record_summary(session, daily.id, summary_ts)
    client.chat_update(
        channel=config.channel_id, ts=str(daily.prompt_ts), text=prompt_text, blocks=prompt_blocks
    )
    return daily


def refresh_summary(
    runtime: Runtime, client: WebClient, config: ChannelConfig, daily: Daily
) -> None:
    summary_text, summary_blocks, prompt_text, prompt_blocks = _render_summary(
        runtime, client, config, daily
    )
    client.chat_update(
        channel=config.channel_id,
        ts=str(daily.summary_ts),
        text=summary_text,
        blocks=summary_blocks,
    )
    client.chat_update(
        channel=config.channel_id, ts=str(daily.prompt_ts), text=prompt_text, blocks=prompt_blocks
    )


def _render_summary(
    runtime: Runtime, client: WebClient, config: ChannelConfig, daily: Daily
) -> tuple[str, list[dict], str, list[dict]]:
    members = human_members(runtime, client, config.team_id, config.channel_id)
    with transaction(runtime.sessions) as session:
        # Only what the thread shows: an update whose reply is still to be posted (Slack was
        # busy) joins the summary when it is posted (submit_update refreshes the summary).
        updates = [
            UpdateFacts(row.user_id, row.highlight, row.impediment)
            for row in store.updates_of(session, daily.id)
            if row.posted_ts or row.reply_ts
        ]
        absences = {
            user_id: absence.reason
            for user_id, absence in store.absences_on(
                session, config.team_id, config.channel_id, daily.local_date
            ).items()
        }
    answered = {facts.user_id for facts in updates}
    pending = [
        user_id for user_id in members if user_id not in answered and user_id not in absences
    ]
    absences.update(away_by_status(runtime, client, pending))
    people = {*members, *answered, *absences}
    texts = [*(f.highlight or "" for f in updates), *(f.impediment or "" for f in updates)]
    mentioned = mentioned_user_ids(
        " ".join([*texts, *(reason or "" for reason in absences.values())])
    )
    names = display_names(runtime, client, config.team_id, [*people, *mentioned], config.language)
    summary = summarise(updates, members, absences, names)
    summary_text, summary_blocks = render.summary_message(config.language, summary, names)
    prompt_text, prompt_blocks = render.prompt_message(config.language, daily.local_date, summary)
    return summary_text, summary_blocks, prompt_text, prompt_blocks
