"""The Daily's scheduled jobs. Module-level functions taking ids, so any runner can call them."""

from __future__ import annotations

from datetime import datetime

from bot.daily import service
from bot.runtime import Runtime


def daily_prompt(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    config = service.channel_config(runtime, team_id, channel_id)
    client = runtime.client_for(team_id)
    service.ensure_prompt(runtime, client, config, service.local_day(runtime, config, at))


def daily_reminder(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    config = service.channel_config(runtime, team_id, channel_id)
    client = runtime.client_for(team_id)
    service.send_reminders(runtime, client, config, service.local_day(runtime, config, at))


def daily_summary(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    config = service.channel_config(runtime, team_id, channel_id)
    client = runtime.client_for(team_id)
    service.post_summary(runtime, client, config, service.local_day(runtime, config, at))
