"""Block Kit and texts of the prospect radar: announcement, flags, the list. Pure functions.

Every user-typed text (company, note, contact) goes through `escape_for_slack` with a names
mapping, so a decoded `@channel` or `<@U…>` in it never pings. The only pings are the ones the
product wants: the announcer in their own announcement (so they follow its thread, where
flags arrive) and the teammate a flag is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from babel.dates import format_date

from bot import blocks as bk
from bot.i18n import translate
from bot.text import escape_for_slack, mention, truncate

Message = tuple[str, list[bk.Block]]

SHORT_DATE_FORMATS = {"en": "d MMM", "de": "d. MMM"}
LIST_NOTE_LIMIT = 120


def short_date(day: date, language: str) -> str:
    """ "12 Nov" / "12. Nov." — the "in touch since" of a flag."""
    pattern = SHORT_DATE_FORMATS.get(language, SHORT_DATE_FORMATS["en"])
    return format_date(day, format=pattern, locale=language)


def user_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """User-typed text as mrkdwn that cannot ping anyone (mentions become @Name)."""
    return escape_for_slack(text, names or {})


# --- announcement ---------------------------------------------------------------------------------


def announcement_message(
    language: str,
    user_id: str,
    company: str,
    note: str | None,
    names: Mapping[str, str],
) -> Message:
    shown = user_text(company, names)
    headline = translate(language, "radar.announce.text", user=mention(user_id), company=shown)
    blocks = [bk.section(headline)]
    if note:
        blocks.append(bk.section("> " + user_text(note, names).replace("\n", "\n> ")))
    blocks.append(bk.context(translate(language, "radar.announce.hint", company=shown)))
    return headline, blocks


def withdrawn_message(language: str, user_id: str, company: str) -> Message:
    text = translate(
        language, "radar.announce.withdrawn", user=mention(user_id), company=user_text(company)
    )
    return text, [bk.section(text)]


# --- flags ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagLine:
    """One teammate to flag: they know someone at the company, or already pursue it."""

    user_id: str
    company: str
    contact: str | None = None  # for a known contact
    since: date | None = None  # for an announcement: "already in touch since"

    @property
    def is_contact(self) -> bool:
        return self.since is None


def flag_line(language: str, line: FlagLine, *, in_announcement: bool = False) -> str:
    """In the company's own announcement thread the company goes without saying."""
    user, company = mention(line.user_id), user_text(line.company)
    if line.since is not None:
        since = short_date(line.since, language)
        key = "radar.flag.in_touch" if in_announcement else "radar.flag.in_touch_with"
        return translate(language, key, user=user, company=company, since=since)
    if line.contact:
        contact = user_text(line.contact)
        return translate(language, "radar.flag.knows", user=user, contact=contact, company=company)
    return translate(language, "radar.flag.knows_someone", user=user, company=company)


def flag_message(
    language: str, lines: Sequence[FlagLine], *, in_announcement: bool = False
) -> Message:
    rendered = [flag_line(language, line, in_announcement=in_announcement) for line in lines]
    title = translate(language, "radar.flag.title")
    text = f"{title} " + " · ".join(rendered)
    return text, bk.limit_blocks([bk.context(title), *bk.sections(rendered)])


# --- the list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedProspect:
    user_id: str
    since: date
    mine: bool


@dataclass(frozen=True)
class ListedContact:
    user_id: str
    contact: str | None  # only the caller's own contact names are listed
    mine: bool


Entry = TypeVar("Entry", ListedProspect, ListedContact)


@dataclass(frozen=True)
class CompanyGroup(Generic[Entry]):
    """The entries of one company (names the matcher takes as the same), shown once."""

    company: str
    entries: list[Entry]


def list_message(
    language: str,
    prospects: Sequence[CompanyGroup[ListedProspect]],
    contacts: Sequence[CompanyGroup[ListedContact]],
    names: Mapping[str, str],
) -> Message:
    """Alphabetical by company, never by person: a map of the team's reach, not a ranking."""
    if not prospects and not contacts:
        text = translate(language, "radar.list.empty")
        return text, [bk.section(text)]
    you = translate(language, "radar.list.you")

    def who(user_id: str, mine: bool) -> str:
        return f"*{you}*" if mine else user_text(names.get(user_id) or user_id)

    lines = [f"*{translate(language, 'radar.list.prospects')}*"]
    if not prospects:
        lines.append(translate(language, "radar.list.none"))
    for group in prospects:
        people = ", ".join(
            translate(
                language,
                "radar.list.since",
                who=who(entry.user_id, entry.mine),
                since=short_date(entry.since, language),
            )
            for entry in group.entries
        )
        lines.append(f"• *{user_text(group.company)}* — {people}")
    lines.append(f"*{translate(language, 'radar.list.contacts')}*")
    if not contacts:
        lines.append(translate(language, "radar.list.none"))
    for contact_group in contacts:
        people = ", ".join(
            who(entry.user_id, entry.mine)
            + (f" ({truncate(user_text(entry.contact), LIST_NOTE_LIMIT)})" if entry.contact else "")
            for entry in contact_group.entries
        )
        lines.append(f"• *{user_text(contact_group.company)}* — {people}")
    lines.append(translate(language, "radar.list.footer"))
    return translate(language, "radar.list.fallback"), bk.limit_blocks(bk.sections(lines))


def scan_notice(language: str, name: str, enabled: bool) -> str:
    """Posted in the channel: people should know when the bot reads their messages."""
    key = "radar.scan.turned_on" if enabled else "radar.scan.turned_off"
    return translate(language, key, name=user_text(name))
