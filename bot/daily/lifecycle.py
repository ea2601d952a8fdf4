"""Where the Daily runs: the welcome when the bot is added to a channel, `/daily on|off`,
holiday regions, cancelling one Daily, and the one answer to a direct message.

Database work in short transactions, Slack outside them; every post goes through post_once.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from slack_sdk import WebClient

from bot.daily import render
from bot.daily.calendar import DAILY_NONE, DAILY_OFF, DAILY_ON, cancel_problem, next_daily
from bot.daily.service import ChannelConfig, channel_config, local_day
from bot.holidays import OFF, holiday_name
from bot.members import display_names, user_language
from bot.posting import Message, post_once, request_post_key
from bot.runtime import Runtime
from bot.schedule import format_weekdays, local_now, local_to_utc
from storage import daily as store
from storage.channels import channels_with_daily, set_channel_active, update_channel
from storage.db import transaction

# The direct-message answer names at most this many of the team's channels.
DM_CHANNELS_SHOWN = 3
# `/daily holidays` lists the region's holidays this far ahead.
HOLIDAYS_AHEAD = timedelta(days=120)


def next_daily_start(runtime: Runtime, config: ChannelConfig) -> datetime | None:
    """The next Daily's prompt in the channel's local time (holidays and cancellations left
    out), or None when there is none within a year."""
    schedule = config.schedule
    with transaction(runtime.sessions) as session:
        cancelled = store.cancelled_days(
            session, config.team_id, config.channel_id, local_day(runtime, config)
        )
    day = next_daily(schedule, config.holiday_region, cancelled, runtime.now())
    if day is None:
        return None
    return local_now(local_to_utc(day, schedule.prompt_at, schedule.timezone), schedule.timezone)


def welcome(runtime: Runtime, client: WebClient, team_id: str, channel_id: str) -> None:
    """The bot was added: from now on the Daily is scheduled here, and the channel hears so."""
    with transaction(runtime.sessions) as session:
        set_channel_active(session, team_id, channel_id, True)
        update_channel(session, team_id, channel_id, daily_state=DAILY_ON)
    config = channel_config(runtime, team_id, channel_id)
    text, blocks = render.welcome_message(
        config.language,
        next_daily_start(runtime, config),
        config.schedule.timezone,
        format_weekdays(config.schedule.weekdays, config.language),
    )
    key = request_post_key("welcome")
    post_once(runtime, client, team_id, key, Message(channel_id, text, blocks))


def set_state(
    runtime: Runtime, client: WebClient, config: ChannelConfig, user_id: str, on: bool
) -> bool:
    """`/daily on|off`; the channel hears who did it. False when nothing changed."""
    state = DAILY_ON if on else DAILY_OFF
    # A channel that never had the Daily is off already: nothing to say there.
    if (config.state if config.state != DAILY_NONE else DAILY_OFF) == state:
        return False
    with transaction(runtime.sessions) as session:
        update_channel(session, config.team_id, config.channel_id, daily_state=state)
    config = channel_config(runtime, config.team_id, config.channel_id)
    who = display_names(runtime, client, config.team_id, [user_id], config.language)[user_id]
    text, blocks = render.state_message(
        config.language, on, who, next_daily_start(runtime, config), config.schedule.timezone
    )
    key = request_post_key("daily-state")
    post_once(runtime, client, config.team_id, key, Message(config.channel_id, text, blocks))
    return True


def set_holidays(
    runtime: Runtime, config: ChannelConfig, region: str | None
) -> list[tuple[date, str]]:
    """Store the channel's holiday region (None: none); the region's next holidays."""
    with transaction(runtime.sessions) as session:
        update_channel(session, config.team_id, config.channel_id, holiday_region=region or OFF)
    today = local_day(runtime, config)
    ahead = (today + timedelta(days=offset) for offset in range(HOLIDAYS_AHEAD.days))
    return [(day, name) for day in ahead if (name := holiday_name(region, day) or "")]


def cancel(
    runtime: Runtime, client: WebClient, config: ChannelConfig, user_id: str, day: date | None
) -> tuple[date | None, str | None]:
    """Cancel one Daily (the next one when `day` is None) and tell the channel.

    Returns the day and, when it could not be cancelled, the message key saying why.
    """
    now = runtime.now()
    if day is None:
        start = next_daily_start(runtime, config)
        if start is None:
            return None, "daily.cancel.error.none_ahead"
        day = start.date()
    problem = cancel_problem(config.schedule, config.holiday_region, day, now)
    if problem is not None:
        return day, problem
    with transaction(runtime.sessions) as session:
        cancelled = store.cancel_daily(session, config.team_id, config.channel_id, day)
    if not cancelled:
        return day, "daily.cancel.error.already"
    _announce(runtime, client, config, user_id, request_post_key("daily-cancelled"), day, True)
    return day, None


def uncancel(
    runtime: Runtime, client: WebClient, config: ChannelConfig, user_id: str, day: date | None
) -> tuple[date | None, str | None]:
    """Take back the cancellation of one Daily (the next cancelled one when `day` is None) and
    tell the channel; the clock then holds that Daily as usual — a prompt already due that day
    goes out at its next tick. Returns the day and, when nothing was taken back, why."""
    now = runtime.now()
    today = local_day(runtime, config, now)
    with transaction(runtime.sessions) as session:
        cancelled = store.cancelled_days(session, config.team_id, config.channel_id, today)
    if day is None:
        if not cancelled:
            return None, "daily.uncancel.error.none_ahead"
        day = min(cancelled)
    if day not in cancelled:
        return day, "daily.uncancel.error.not_cancelled"
    problem = cancel_problem(config.schedule, config.holiday_region, day, now)
    if problem == "daily.cancel.error.past":
        return day, problem
    with transaction(runtime.sessions) as session:
        taken_back = store.uncancel_daily(session, config.team_id, config.channel_id, day)
    if not taken_back:  # someone else was quicker
        return day, "daily.uncancel.error.not_cancelled"
    _announce(runtime, client, config, user_id, request_post_key("daily-uncancelled"), day, False)
    return day, None


def _announce(
    runtime: Runtime,
    client: WebClient,
    config: ChannelConfig,
    user_id: str,
    key: str,
    day: date,
    cancelled: bool,
) -> None:
    who = display_names(runtime, client, config.team_id, [user_id], config.language)[user_id]
    text, blocks = render.cancelled_message(config.language, day, who, cancelled=cancelled)
    post_once(runtime, client, config.team_id, key, Message(config.channel_id, text, blocks))


def answer_direct_message(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str, channel_id: str
) -> None:
    """One short answer a day per person; the key makes the second message of a day a no-op."""
    today = local_day(runtime, channel_config(runtime, team_id, channel_id))
    with transaction(runtime.sessions) as session:
        channels = channels_with_daily(session, team_id, DM_CHANNELS_SHOWN)
    language = user_language(runtime, client, team_id, user_id)
    text = render.direct_message_answer(language, channels)
    # slack_posts holds no person: the key carries a digest of who, not their id.
    who = hashlib.sha256(f"{team_id}:{user_id}".encode()).hexdigest()[:24]
    key = f"dm-answer:{who}:{today.isoformat()}"
    post_once(runtime, client, team_id, key, Message(channel_id, text))
