"""Block Kit for the team insight: the App Home's Team section and the monthly agenda reply.
Pure functions.

Only team figures are shown, and no name or mention stands next to a number: a channel's
section names the channel, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_date

from bot import blocks as bk
from bot.i18n import translate, translate_count
from bot.insight.figures import DailyShare, TeamInsight

DAY_FORMATS = {"en": "d MMM", "de": "d. MMM"}
# The Team section's share of the Home is 20 blocks: a title, a section per channel, the note.
MAX_CHANNELS = 8


def _day(share: DailyShare, language: str) -> str:
    pattern = DAY_FORMATS.get(language, DAY_FORMATS["en"])
    return format_date(share.day, format=pattern, locale=language)


def _dailies_line(language: str, dailies: Sequence[DailyShare]) -> str:
    if not dailies:
        return translate(language, "insight.dailies.none")
    figures = [
        translate(
            language,
            "insight.daily",
            date=_day(share, language),
            posted=share.posted,
            members=share.members,
            percent=round(share.share * 100),
        )
        for share in dailies
    ]
    return f"{translate(language, 'insight.dailies')} " + " · ".join(figures)


def _impediments_line(language: str, insight: TeamInsight) -> str:
    return translate_count(
        language,
        "insight.impediments",
        insight.impediments.raised,
        resolved=insight.impediments.resolved,
        weeks=insight.window_weeks,
    )


def _carried_line(language: str, carried: dict[int, int]) -> str:
    total = sum(carried.values())
    if not total:
        return translate(language, "insight.carried.none")
    details = ", ".join(
        translate_count(language, "insight.carried.weeks", weeks, items=items)
        for weeks, items in sorted(carried.items())
    )
    return translate_count(language, "insight.carried", total, details=details)


def insight_lines(language: str, insight: TeamInsight) -> list[str]:
    return [
        f":busts_in_silhouette: {_dailies_line(language, insight.dailies)}",
        f":construction: {_impediments_line(language, insight)}",
        f":repeat: {_carried_line(language, insight.carried)}",
    ]


def channel_section(language: str, insight: TeamInsight) -> bk.Block:
    return bk.section("\n".join([f"*<#{insight.channel_id}>*", *insight_lines(language, insight)]))


def home_team_blocks(language: str, insights: Sequence[TeamInsight]) -> list[bk.Block]:
    """The App Home's Team section: one section per team channel the person is in."""
    blocks: list[bk.Block] = [
        {"type": "divider"},
        bk.section(f"*{translate(language, 'insight.title')}*"),
    ]
    if not insights:
        return [*blocks, bk.context(translate(language, "insight.home.empty"))]
    blocks += [channel_section(language, insight) for insight in insights[:MAX_CHANNELS]]
    return [*blocks, bk.context(translate(language, "insight.note"))]


def agenda_insight_message(language: str, insight: TeamInsight) -> tuple[str, list[bk.Block]]:
    """The first Weekly agenda of a month: the team's figures as a reply in its thread."""
    title = translate(language, "insight.agenda.title")
    blocks = [
        bk.section("\n".join([f"*{title}*", *insight_lines(language, insight)])),
        bk.context(translate(language, "insight.note")),
    ]
    return title, blocks
