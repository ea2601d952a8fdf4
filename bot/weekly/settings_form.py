"""The `/weekly settings` modal and its validation. Pure: answers in, columns or a problem out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time
from typing import Any

from bot import blocks as bk
from bot.daily.settings_form import SettingsError
from bot.i18n import translate
from bot.schedule import format_weekdays, parse_clock_time, zone_for
from bot.text import escape_for_slack
from bot.timezones import timezone_select
from bot.weekly.rules import WeeklySchedule

SETTINGS_MODAL = "weekly_settings"
BLOCK_IDS = ("weekday", "at", "call_at", "timezone")


@dataclass(frozen=True)
class WeeklySettingsForm:
    schedule: WeeklySchedule

    def as_columns(self) -> dict[str, Any]:
        return {
            "weekly_weekday": self.schedule.weekday,
            "weekly_time": self.schedule.at.strftime("%H:%M"),
            "weekly_call_time": self.schedule.call_at.strftime("%H:%M"),
            "timezone": self.schedule.timezone,
        }

    def confirmation(self, language: str) -> str:
        schedule = self.schedule
        return translate(
            language,
            "weekly.settings.saved",
            day=format_weekdays([schedule.weekday], language),
            time=schedule.at.strftime("%H:%M"),
            call_day=format_weekdays([schedule.call_weekday], language),
            call_time=schedule.call_at.strftime("%H:%M"),
            timezone=escape_for_slack(schedule.timezone),
        )


def _time(answers: dict[str, Any], block_id: str) -> time:
    try:
        return parse_clock_time(str(answers.get(block_id) or ""))
    except ValueError:
        raise SettingsError(block_id, "weekly.settings.error.time") from None


def validate_settings(answers: dict[str, Any]) -> WeeklySettingsForm:
    """Raises SettingsError naming the block to flag in the modal."""
    weekday = str(answers.get("weekday") or "")
    if weekday not in {str(day) for day in range(7)}:
        raise SettingsError("weekday", "weekly.settings.error.day")
    at = _time(answers, "at")
    call_at = _time(answers, "call_at")
    timezone = str(answers.get("timezone") or "").strip()
    try:
        zone_for(timezone)
    except ValueError:
        raise SettingsError("timezone", "weekly.settings.error.timezone") from None
    return WeeklySettingsForm(WeeklySchedule(int(weekday), at, call_at, timezone))


def settings_from_values(values: dict[str, Any]) -> dict[str, Any]:
    """The raw answers of the settings modal, keyed by block id."""
    return {block_id: bk.input_value(values, block_id) for block_id in BLOCK_IDS}


def settings_modal(language: str, channel_id: str, current: WeeklySchedule) -> bk.Block:
    day_options = bk.weekday_options(language)

    def timepicker(block_id: str, label_key: str, value: time) -> bk.Block:
        return bk.timepicker_input(block_id, translate(language, label_key), value)

    blocks: list[bk.Block] = [
        {
            "type": "input",
            "block_id": "weekday",
            "label": bk.plain(translate(language, "weekly.settings.day")),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": day_options,
                "initial_option": day_options[current.weekday],
            },
        },
        timepicker("at", "weekly.settings.time", current.at),
        timepicker("call_at", "weekly.settings.call_time", current.call_at),
        timezone_select(translate(language, "weekly.settings.timezone"), current.timezone),
    ]
    return bk.modal(
        SETTINGS_MODAL,
        translate(language, "weekly.settings.title"),
        blocks,
        submit=translate(language, "weekly.settings.submit"),
        close=translate(language, "weekly.settings.cancel"),
        # The caller's language travels with the modal: its validation errors answer in the
        # ack, where there is no time to look the user up.
        private_metadata=json.dumps({"channel": channel_id, "language": language}),
    )
