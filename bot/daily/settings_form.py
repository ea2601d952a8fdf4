"""Validation of the `/daily settings` modal. Pure: answers in, columns or a problem out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.daily.rules import serialise_weekdays
from bot.holidays import OFF, parse_region
from bot.i18n import SUPPORTED_LANGUAGES, translate
from bot.schedule import format_weekdays, parse_clock_time
from bot.text import escape_for_slack


class SettingsError(Exception):
    def __init__(self, block_id: str, message_key: str) -> None:
        super().__init__(message_key)
        self.block_id = block_id
        self.message_key = message_key


@dataclass(frozen=True)
class DailySettingsForm:
    weekdays: frozenset[int]
    prompt_at: time
    reminder_at: time
    summary_at: time
    timezone: str
    language: str
    holiday_region: str | None = None  # None: no holidays

    def as_columns(self) -> dict[str, Any]:
        return {
            "holiday_region": self.holiday_region or OFF,
            "daily_weekdays": serialise_weekdays(self.weekdays),
            "daily_prompt_time": self.prompt_at.strftime("%H:%M"),
            "daily_reminder_time": self.reminder_at.strftime("%H:%M"),
            "daily_summary_time": self.summary_at.strftime("%H:%M"),
            "timezone": self.timezone,
            "language": self.language,
        }

    def confirmation(self, language: str) -> str:
        return translate(
            language,
            "daily.settings.saved",
            days=format_weekdays(self.weekdays, language),
            prompt=self.prompt_at.strftime("%H:%M"),
            reminder=self.reminder_at.strftime("%H:%M"),
            summary=self.summary_at.strftime("%H:%M"),
            timezone=escape_for_slack(self.timezone),
        ) + translate(
            language,
            "daily.settings.saved_holidays",
            region=self.holiday_region or translate(language, "daily.settings.no_holidays"),
        )


def _time(answers: dict[str, Any], block_id: str) -> time:
    try:
        return parse_clock_time(str(answers.get(block_id) or ""))
    except ValueError:
        raise SettingsError(block_id, "daily.settings.error.time") from None


def validate_settings(answers: dict[str, Any]) -> DailySettingsForm:
    """Raises SettingsError naming the block to flag in the modal."""
    try:
        weekdays = frozenset(int(day) for day in answers.get("weekdays") or [])
    except ValueError:
        weekdays = frozenset()
    if not weekdays or not weekdays <= set(range(7)):
        raise SettingsError("weekdays", "daily.settings.error.no_days")
    prompt_at = _time(answers, "prompt_at")
    reminder_at = _time(answers, "reminder_at")
    summary_at = _time(answers, "summary_at")
    if not prompt_at < reminder_at < summary_at:
        raise SettingsError("reminder_at", "daily.settings.error.order")
    timezone = str(answers.get("timezone") or "").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("timezone", "daily.settings.error.timezone") from None
    language = answers.get("language")
    if language not in SUPPORTED_LANGUAGES:
        language = SUPPORTED_LANGUAGES[0]
    region_text = str(answers.get("holiday_region") or "").strip()
    region: str | None = None
    if region_text and region_text.lower() not in (OFF, "aus"):
        try:
            region = parse_region(region_text).code
        except ValueError:
            raise SettingsError("holiday_region", "daily.settings.error.region") from None
    return DailySettingsForm(
        weekdays, prompt_at, reminder_at, summary_at, timezone, str(language), region
    )
