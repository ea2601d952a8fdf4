"""Pure decisions about which Dailies happen and when a reminder may reach someone.

- where the Daily runs: "on" from the bot's arrival in a channel, "off" after `/daily off`;
- no Daily on a public holiday of the channel's region, nor on a day `/daily cancel` took out;
- a reminder reaches a member only between 08:00 and 19:00 of their own time zone; outside
  those hours it waits for their next 08:00, and is dropped if the summary is out by then.

The reasons are the English lines `clock --once` prints and the log shows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from bot.daily.rules import DailySchedule
from bot.holidays import holiday_name
from bot.schedule import local_date_of, local_now, local_to_utc, next_occurrence, zone_for

DAILY_ON = "on"
DAILY_OFF = "off"
DAILY_NONE = "none"  # the bot was never added: no scheduled Daily, no lines about it

DAILY_IS_OFF = "the Daily is off in this channel (/daily on starts it again)"
CANCELLED = "this Daily was cancelled (/daily cancel)"
QUIET_HOURS = "quiet hours"

QUIET_ENDS_AT = time(8, 0)  # a reminder may go out from 08:00 …
QUIET_STARTS_AT = time(19, 0)  # … until 19:00 of the member's own time
# `/daily cancel` reaches at most this far ahead.
CANCEL_HORIZON = timedelta(days=366)


def holiday_reason(region: str | None, day: date) -> str | None:
    name = holiday_name(region, day)
    return f"a public holiday in {region} ({name})" if name else None


def skip_reason(day: date, *, state: str, region: str | None, cancelled: bool) -> str | None:
    """Why the scheduled Daily of `day` does not take place, or None when it does."""
    if state == DAILY_OFF:
        return DAILY_IS_OFF
    if cancelled:
        return CANCELLED
    return holiday_reason(region, day)


def next_daily(
    schedule: DailySchedule, region: str | None, cancelled: Collection[date], now: datetime
) -> date | None:
    """The next Daily that is still to come: its prompt after `now`, neither a holiday nor
    cancelled (what `/daily cancel` without a date cancels)."""
    pattern = schedule.pattern(schedule.prompt_at)
    moment = now
    while moment - now < CANCEL_HORIZON:
        occurrence = next_occurrence(pattern, moment)
        day = occurrence.local_date
        if day not in cancelled and holiday_name(region, day) is None:
            return day
        moment = occurrence.fire_at
    return None


def cancel_problem(
    schedule: DailySchedule, region: str | None, day: date, now: datetime
) -> str | None:
    """Why the Daily of `day` cannot be cancelled (a message key), or None when it can.

    Today's Daily can be cancelled until its summary is due (the rest of it does not happen).
    """
    if day.weekday() not in schedule.weekdays:
        return "daily.cancel.error.no_daily"
    today = local_date_of(now, schedule.timezone)
    summary_due = local_to_utc(day, schedule.summary_at, schedule.timezone)
    if day < today or summary_due <= now:
        return "daily.cancel.error.past"
    if day - today > CANCEL_HORIZON:
        return "daily.cancel.error.too_far"
    if holiday_name(region, day) is not None:
        return "daily.cancel.error.holiday"
    return None


def _known_zone(tz: str | None, fallback: str) -> str:
    if tz:
        try:
            zone_for(tz)
            return tz
        except ValueError:
            pass
    return fallback


def reminder_time(
    now: datetime, member_tz: str | None, fallback_tz: str, summary_at: datetime
) -> datetime | None:
    """When a member may be reminded: `now` within 08:00–19:00 of their time zone, else their
    next 08:00; None when the summary is due by then (the reminder is dropped).

    A member without a (known) time zone is treated as living in the channel's (`fallback_tz`).
    """
    if now >= summary_at:
        return None
    tz = _known_zone(member_tz, fallback_tz)
    local = local_now(now, tz)
    wall = local.time().replace(tzinfo=None)
    if QUIET_ENDS_AT <= wall < QUIET_STARTS_AT:
        return now
    day = local.date() + timedelta(days=1 if wall >= QUIET_STARTS_AT else 0)
    morning = local_to_utc(day, QUIET_ENDS_AT, tz)
    return morning if morning < summary_at else None
