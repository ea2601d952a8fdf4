"""The Daily's scheduled jobs. Module-level functions taking ids, so any runner can call them."""

from __future__ import annotations

from datetime import datetime

from bot.daily import service
from bot.runtime import Runtime
from schedules.later import QUIET_HOURS, RunLater


def daily_prompt(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    config = service.channel_config(runtime, team_id, channel_id)
    client = runtime.client_for(team_id)
    service.ensure_prompt(runtime, client, config, service.local_day(runtime, config, at))


def daily_reminder(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> str | None:
    """Reminds who may be reminded now; raises RunLater while members wait for their 08:00."""
    config = service.channel_config(runtime, team_id, channel_id)
    client = runtime.client_for(team_id)
    done = service.remind(runtime, client, config, service.local_day(runtime, config, at))
    if done.next_at is not None:
        reason = (
            f"{QUIET_HOURS}: {done.waiting} member(s) reminded at their 08:00, the next at "
            f"{done.next_at:%Y-%m-%d %H:%M} UTC ({len(done.reminded)} reminded now)"
        )
        raise RunLater(done.next_at, reason, did_something=bool(done.reminded))
    if done.dropped:
        return f"{QUIET_HOURS}: {done.dropped} member(s) not reminded (their 08:00 is too late)"
    return None


def daily_summary(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    config = service.channel_config(runtime, team_id, channel_id)
    client = runtime.client_for(team_id)
    service.post_summary(runtime, client, config, service.local_day(runtime, config, at))
