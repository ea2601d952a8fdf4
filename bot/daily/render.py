"""Block Kit for the Daily: prompt, update reply, summary, modals. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from babel.dates import format_date

from bot import blocks as bk
from bot.daily.parse import DailyFields
from bot.daily.rules import DailySummary
from bot.daily.settings_form import DailySettingsForm
from bot.i18n import SUPPORTED_LANGUAGES, translate, translate_count
from bot.text import escape_for_slack, truncate
from bot.timezones import timezone_select

UPDATE_MODAL = "daily_update"
SETTINGS_MODAL = "daily_settings"
OPEN_MODAL_ACTION = "daily_open_modal"

Message = tuple[str, list[bk.Block]]


DATE_FORMATS = {"en": "EEEE, d MMMM", "de": "EEEE, d. MMMM"}
# Highlights and impediments are cut so that a big team's summary keeps every name list.
SUMMARY_ITEM_LIMIT = 600


def long_date(day: date, language: str) -> str:
    return format_date(day, format=DATE_FORMATS.get(language, DATE_FORMATS["en"]), locale=language)


def prompt_message(language: str, day: date, summary: DailySummary | None = None) -> Message:
    when = long_date(day, language)
    blocks = [
        bk.header(translate(language, "daily.prompt.title", date=when)),
        bk.section(translate(language, "daily.prompt.body")),
        bk.context(translate(language, "daily.prompt.labels")),
        bk.actions(
            bk.button(
                translate(language, "daily.prompt.button"), OPEN_MODAL_ACTION, day.isoformat()
            )
        ),
    ]
    if summary is not None:
        blocks.append(bk.context(_status_line(language, summary)))
    return translate(language, "daily.prompt.fallback", date=when), blocks


def _name(name: str) -> str:
    """Names come from Slack profiles; even one that looks like a mention must not ping."""
    return escape_for_slack(name, {})


def _names(names: list[str]) -> str:
    return ", ".join(_name(name) for name in names)


def _status_line(language: str, summary: DailySummary) -> str:
    parts = [translate(language, "daily.prompt.status", posted=_names(summary.posted) or "–")]
    if summary.away:
        away = _names([item.name for item in summary.away])
        parts.append(translate(language, "daily.prompt.status_away", away=away))
    if summary.not_posted:
        pending = _names(summary.not_posted)
        parts.append(translate(language, "daily.prompt.status_pending", pending=pending))
    return " · ".join(parts)


def update_message(
    language: str, author: str, fields: DailyFields, names: Mapping[str, str]
) -> Message:
    """The bot's reply showing one member's update; it names the author without pinging."""
    lines = [f"*{_name(author)}*"]
    for key, value in (
        ("daily.field.plan", fields.plan),
        ("daily.field.highlight", fields.highlight),
        ("daily.field.impediment", fields.impediment),
    ):
        if value:
            lines.append(f"*{translate(language, key)}:* {escape_for_slack(value, names)}")
    return translate(language, "daily.update.fallback", name=_name(author)), bk.sections(lines)


def summary_message(language: str, summary: DailySummary, names: Mapping[str, str]) -> Message:
    """Who posted, who is away and who has not posted come first: they must always fit."""
    lines = [f"*{translate(language, 'daily.summary.title')}*"]
    if summary.posted:
        lines.append(translate(language, "daily.summary.posted", names=_names(summary.posted)))
    else:
        lines.append(translate(language, "daily.summary.nobody"))
    if summary.away:
        away = ", ".join(
            f"{_name(item.name)} ({escape_for_slack(item.text, names)})"
            if item.text
            else _name(item.name)
            for item in summary.away
        )
        lines.append(translate(language, "daily.summary.away", names=away))
    if summary.not_posted:
        lines.append(
            translate(language, "daily.summary.not_posted", names=_names(summary.not_posted))
        )
    for key, items in (
        ("daily.summary.highlights", summary.highlights),
        ("daily.summary.impediments", summary.impediments),
    ):
        if items:
            lines.append(translate(language, key))
            lines.extend(
                f"• {_name(item.name)}: "
                f"{truncate(escape_for_slack(item.text, names), SUMMARY_ITEM_LIMIT)}"
                for item in items
            )
    fallback = translate_count(language, "daily.summary.fallback", len(summary.posted))
    return fallback, bk.limit_blocks(bk.sections(lines))


@dataclass(frozen=True)
class UpdateModalContext:
    channel_id: str
    day: date

    def encode(self) -> str:
        return json.dumps({"channel": self.channel_id, "day": self.day.isoformat()})

    @classmethod
    def decode(cls, raw: str) -> UpdateModalContext:
        data = json.loads(raw)
        return cls(channel_id=str(data["channel"]), day=date.fromisoformat(data["day"]))


def update_modal(
    language: str, context: UpdateModalContext, current: DailyFields | None
) -> bk.Block:
    current = current or DailyFields(None, None, None)
    optional = translate(language, "daily.modal.optional_hint")
    return bk.modal(
        UPDATE_MODAL,
        translate(language, "daily.modal.title"),
        [
            bk.text_input("plan", translate(language, "daily.modal.plan"), initial=current.plan),
            bk.text_input(
                "highlight",
                translate(language, "daily.modal.highlight"),
                initial=current.highlight,
                optional=True,
                placeholder=optional,
            ),
            bk.text_input(
                "impediment",
                translate(language, "daily.modal.impediment"),
                initial=current.impediment,
                optional=True,
                placeholder=optional,
            ),
        ],
        submit=translate(language, "daily.modal.submit"),
        close=translate(language, "daily.modal.cancel"),
        private_metadata=context.encode(),
    )


def settings_modal(language: str, channel_id: str, current: DailySettingsForm) -> bk.Block:
    day_options = bk.weekday_options(language)
    language_options = [
        bk.option(translate(language, f"language.{code}"), code) for code in SUPPORTED_LANGUAGES
    ]

    def timepicker(block_id: str, label_key: str, value: time) -> bk.Block:
        return bk.timepicker_input(block_id, translate(language, label_key), value)

    blocks: list[bk.Block] = [
        {
            "type": "input",
            "block_id": "weekdays",
            "label": bk.plain(translate(language, "daily.settings.days")),
            "element": {
                "type": "checkboxes",
                "action_id": "value",
                "options": day_options,
                "initial_options": [day_options[day] for day in sorted(current.weekdays)],
            },
        },
        timepicker("prompt_at", "daily.settings.prompt_time", current.prompt_at),
        timepicker("reminder_at", "daily.settings.reminder_time", current.reminder_at),
        timepicker("summary_at", "daily.settings.summary_time", current.summary_at),
        timezone_select(translate(language, "daily.settings.timezone"), current.timezone),
        bk.text_input(
            "holiday_region",
            translate(language, "daily.settings.holiday_region"),
            initial=current.holiday_region,
            multiline=False,
            optional=True,
            max_length=16,
            placeholder=translate(language, "daily.settings.holiday_region_hint"),
        ),
        {
            "type": "input",
            "block_id": "language",
            "label": bk.plain(translate(language, "daily.settings.language")),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": language_options,
                "initial_option": language_options[SUPPORTED_LANGUAGES.index(current.language)],
            },
        },
    ]
    return bk.modal(
        SETTINGS_MODAL,
        translate(language, "daily.settings.title"),
        blocks,
        submit=translate(language, "daily.settings.submit"),
        close=translate(language, "daily.modal.cancel"),
        private_metadata=json.dumps({"channel": channel_id}),
    )


def settings_from_values(values: dict[str, Any]) -> dict[str, Any]:
    """The raw answers of the settings modal, keyed by block id."""
    return {
        block_id: bk.input_value(values, block_id)
        for block_id in (
            "weekdays",
            "prompt_at",
            "reminder_at",
            "summary_at",
            "timezone",
            "language",
            "holiday_region",
        )
    }


# --- where the Daily runs: welcome, on/off, cancelled ------------------------------------

WELCOME_SETTINGS_ACTION = "daily_welcome_settings"
WELCOME_OFF_ACTION = "daily_welcome_off"


def when_text(language: str, start: datetime | None, timezone: str) -> str:
    """ "Thursday, 26 November at 09:00 (Europe/Berlin)"; `start` is local."""
    if start is None:
        return translate(language, "daily.lifecycle.no_next")
    return translate(
        language,
        "daily.lifecycle.when",
        date=long_date(start.date(), language),
        time=start.strftime("%H:%M"),
        timezone=escape_for_slack(timezone),
    )


def welcome_message(language: str, first: datetime | None, timezone: str, days: str) -> Message:
    """The bot's first post in a channel: what it does, the first Daily, how to change it."""
    blocks = [
        bk.section(translate(language, "daily.welcome.body")),
        bk.section(
            translate(
                language,
                "daily.welcome.first",
                when=when_text(language, first, timezone),
                days=days,
            )
        ),
        bk.actions(
            bk.button(translate(language, "daily.welcome.settings"), WELCOME_SETTINGS_ACTION),
            bk.button(translate(language, "daily.welcome.off"), WELCOME_OFF_ACTION),
        ),
        bk.context(translate(language, "daily.welcome.help")),
    ]
    return translate(language, "daily.welcome.fallback"), blocks


def state_message(
    language: str, on: bool, who: str, next_start: datetime | None, tz: str
) -> Message:
    """The channel hears when someone turns its Daily off or on (named, never pinged)."""
    if on:
        text = translate(
            language,
            "daily.lifecycle.turned_on",
            name=_name(who),
            when=when_text(language, next_start, tz),
        )
    else:
        text = translate(language, "daily.lifecycle.turned_off", name=_name(who))
    return text, [bk.section(text)]


def cancelled_message(language: str, day: date, who: str, *, cancelled: bool = True) -> Message:
    """The channel's news that a Daily is cancelled, or (`cancelled=False`) held after all."""
    key = "daily.lifecycle.cancelled" if cancelled else "daily.lifecycle.uncancelled"
    text = translate(language, key, date=long_date(day, language), name=_name(who))
    return text, [bk.section(text)]


def direct_message_answer(language: str, channel_ids: list[str]) -> str:
    """The one answer to a direct message: where the bot works and which commands exist."""
    if channel_ids:
        where = translate(
            language, "daily.dm.channels", channels=", ".join(f"<#{c}>" for c in channel_ids)
        )
    else:
        where = translate(language, "daily.dm.no_channel")
    return translate(language, "daily.dm.answer", where=where)
