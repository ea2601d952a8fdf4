"""Block Kit for the Weekly: the draft, the call for items, the agenda and its replies,
decisions. Pure functions.

Names never ping; only the owners of an item are mentioned (`<@U…>`), in the agenda's parent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date

from bot import blocks as bk
from bot.daily.render import long_date
from bot.i18n import translate, translate_count
from bot.text import USER_ID_PATTERN, escape_for_slack, mention, truncate
from bot.weekly.rules import FROM_DAILY, AgendaItem, by_category

Message = tuple[str, list[bk.Block]]

CATEGORY_KEYS = {
    "done": "weekly.category.done",
    "plan": "weekly.category.plan",
    "impediment": "weekly.category.impediment",
    "market": "weekly.category.market",
    "need": "weekly.category.need",
    "help": "weekly.category.help",
    "other": "weekly.category.other",
}
# An item's line in a list; its full text is in its own reply.
LINE_LIMIT = 300
# Permalinks come from Slack; anything else is not turned into a link.
_SAFE_LINK = re.compile(r"https://[^\s<>|]+")
SHORT_DATE_FORMATS = {"en": "d MMM yyyy", "de": "d. MMM yyyy"}


def category_label(language: str, category: str) -> str:
    return translate(language, CATEGORY_KEYS.get(category, CATEGORY_KEYS["other"]))


def short_date(day: date, language: str) -> str:
    pattern = SHORT_DATE_FORMATS.get(language, SHORT_DATE_FORMATS["en"])
    return format_date(day, format=pattern, locale=language)


def when(language: str, start: datetime) -> str:
    """`Monday, 30 November, 10:00` in the channel's (already local) time."""
    return translate(
        language, "weekly.when", date=long_date(start.date(), language), time=f"{start:%H:%M}"
    )


def _name(names: Mapping[str, str], user_id: str) -> str:
    return escape_for_slack(names.get(user_id) or user_id, {})


def _link(language: str, url: str | None) -> str:
    if not url or not _SAFE_LINK.fullmatch(url):
        return ""
    return f" <{url}|{translate(language, 'weekly.item.link')}>"


def _one_line(text: str, names: Mapping[str, str]) -> str:
    flat = " ".join(text.split())
    return truncate(escape_for_slack(flat, names), LINE_LIMIT)


def item_line(
    language: str, item: AgendaItem, names: Mapping[str, str], *, ping_owners: bool = False
) -> str:
    """One line of a list: number or bullet, text, author, where it came from, owners."""
    text = _one_line(item.text, names)
    if item.resolved:
        text = f":white_check_mark: ~{text}~"
    prefix = f"`{item.number}`" if item.number else "•"
    parts = [f"{prefix} {text} — {_name(names, item.user_id)}"]
    if item.source == FROM_DAILY:
        parts.append(translate(language, "weekly.item.from_daily"))
    if item.carried_over:
        parts.append(translate(language, "weekly.item.carried_over"))
    line = " · ".join(parts) + _link(language, item.link)
    if item.claimants:
        owners = ", ".join(
            mention(user) if ping_owners and USER_ID_PATTERN.fullmatch(user) else _name(names, user)
            for user in item.claimants
        )
        line += " · :raising_hand: " + owners
    return line


def _grouped_lines(
    language: str, items: Sequence[AgendaItem], names: Mapping[str, str], *, ping: bool = False
) -> list[str]:
    lines: list[str] = []
    for group in by_category(items):
        lines.append(f"*{category_label(language, group.category)}*")
        lines.extend(item_line(language, item, names, ping_owners=ping) for item in group.items)
    return lines


def draft_message(
    language: str, start: datetime, items: Sequence[AgendaItem], names: Mapping[str, str]
) -> Message:
    """`/weekly`: the next Weekly's items, numbered for `/weekly remove N`."""
    title = translate(language, "weekly.draft.title", when=when(language, start))
    lines = [f"*{title}*"]
    lines += _grouped_lines(language, items, names) or [translate(language, "weekly.draft.empty")]
    blocks = [*bk.sections(lines), bk.context(translate(language, "weekly.draft.hint"))]
    return title, bk.limit_blocks(blocks)


def call_message(
    language: str,
    start: datetime,
    items: Sequence[AgendaItem],
    names: Mapping[str, str],
    okr_lines: Sequence[str] = (),
) -> Message:
    """`okr_lines`: the key results without a check-in for a week (bot.okr.render.call_lines)."""
    title = translate(language, "weekly.call.title", when=when(language, start))
    lines = [f"*{title}*", translate(language, "weekly.call.body")]
    if items:
        lines.append(translate(language, "weekly.call.so_far"))
        lines += _grouped_lines(language, items, names)
    else:
        lines.append(translate(language, "weekly.call.nothing_yet"))
    return title, bk.limit_blocks(bk.sections([*lines, *okr_lines]))


@dataclass(frozen=True)
class DecisionFacts:
    text: str
    user_id: str
    day: date
    permalink: str | None = None


def agenda_message(
    language: str,
    day: date,
    items: Sequence[AgendaItem],
    decisions: Sequence[DecisionFacts],
    names: Mapping[str, str],
    okr_section: Sequence[bk.Block] = (),
) -> Message:
    """The parent: every item by category with its owners (mentioned) and whether resolved.

    `okr_section`: the team's OKRs (bot.okr.render.agenda_section), kept whole above the status
    line however long the agenda is."""
    title = translate(language, "weekly.agenda.title", date=long_date(day, language))
    lines = _grouped_lines(language, items, names, ping=True) or [
        translate(language, "weekly.agenda.empty")
    ]
    if decisions:
        lines.append(f"*{translate(language, 'weekly.agenda.decisions')}*")
        lines += [f"• {_one_line(d.text, names)} — {_name(names, d.user_id)}" for d in decisions]
    resolved = sum(1 for item in items if item.resolved)
    status = translate_count(language, "weekly.agenda.status", len(items), resolved=resolved)
    body = [bk.header(title), bk.context(translate(language, "weekly.agenda.how"))]
    body += bk.sections(lines)
    # Whatever the agenda's length, the OKR section and the status line stay.
    tail = [*okr_section, bk.context(status)]
    blocks = [*body[: bk.MAX_BLOCKS - len(tail)], *tail]
    return translate(language, "weekly.agenda.fallback", date=long_date(day, language)), blocks


def item_reply(
    language: str, item: AgendaItem, names: Mapping[str, str], carried_from: date | None = None
) -> Message:
    """An item's own reply in the agenda thread: the message people react to."""
    heading = f"*{category_label(language, item.category)}* · {_name(names, item.user_id)}"
    body = escape_for_slack(item.text, names)
    notes = []
    if item.source == FROM_DAILY:
        notes.append(translate(language, "weekly.item.from_daily"))
    if carried_from is not None:
        notes.append(
            translate(
                language, "weekly.item.carried_over_from", date=short_date(carried_from, language)
            )
        )
    link = _link(language, item.link).strip()
    if link:
        notes.append(link)
    notes.append(translate(language, "weekly.item.react"))
    blocks = [bk.section(f"{heading}\n{body}"), bk.context(" · ".join(notes))]
    fallback = translate(
        language, "weekly.item.fallback", category=category_label(language, item.category)
    )
    return f"{fallback}: {truncate(_one_line(item.text, names), 150)}", blocks


def decision_post(language: str, text: str, user_id: str, names: Mapping[str, str]) -> Message:
    body = translate(
        language,
        "weekly.decision.post",
        text=escape_for_slack(text, names),
        name=_name(names, user_id),
    )
    return translate(language, "weekly.decision.fallback"), [bk.section(body)]


def decisions_list(
    language: str, decisions: Sequence[DecisionFacts], names: Mapping[str, str]
) -> Message:
    title = translate(language, "weekly.decisions.title")
    if not decisions:
        return title, [bk.section(translate(language, "weekly.decisions.none"))]
    lines = [f"*{title}*"]
    for decision in decisions:
        lines.append(
            f"• {short_date(decision.day, language)} · {_one_line(decision.text, names)}"
            f" — {_name(names, decision.user_id)}{_link(language, decision.permalink)}"
        )
    return title, bk.limit_blocks(bk.sections(lines))
