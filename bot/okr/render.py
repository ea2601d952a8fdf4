"""Block Kit for the team OKRs: the list, the archive, channel posts, the Weekly's OKR section
and call-for-items line, the check-in modal. Pure functions.

Progress is the team's: key results show value / target and a bar, objectives the mean of their
key results. Nobody is counted or ranked; a check-in's author is named (never pinged) only next
to the note they wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from babel.numbers import format_decimal

from bot import blocks as bk
from bot.i18n import translate
from bot.okr.parse import PERCENT
from bot.okr.rules import Change, KeyResult, Objective, OkrSet, bar, capped, objective_progress
from bot.okr.rules import progress as kr_progress
from bot.text import escape_for_slack, truncate

Message = tuple[str, list[bk.Block]]
CHECK_IN_MODAL = "okr_check_in"
OPEN_CHECK_IN_ACTION = "okr_check_in_open"
# Block Kit: a static_select has at most 100 options.
MAX_OPTIONS = 100
# The Weekly's agenda parent shows this many key results at most ("…and N more").
AGENDA_KEY_RESULTS = 15
# The call for items names this many key results without a check-in at most.
CALL_KEY_RESULTS = 10
LINE_LIMIT = 300


def number(value: float, language: str) -> str:
    """`1,500.5` / `1.500,5`: at most two decimals, in the reader's convention."""
    return format_decimal(round(value, 2), format="#,##0.##", locale=language)


def amount(kr: KeyResult, value: float, language: str) -> str:
    if kr.unit == PERCENT:
        return translate(language, "okr.percent", value=number(value, language))
    return number(value, language)


def percent(share: float, language: str) -> str:
    return translate(language, "okr.percent", value=number(round(share * 100), language))


def _text(text: str) -> str:
    return truncate(escape_for_slack(" ".join(text.split()), {}), LINE_LIMIT)


def change_text(change: Change | None, kr: KeyResult, language: str) -> str:
    """`▲ +3 since the last Weekly`; empty without an earlier Weekly."""
    if change is None:
        return ""
    delta = change.delta
    if delta is None:
        return translate(language, "okr.change.new")
    if round(delta, 2) == 0:
        return translate(language, "okr.change.none")
    arrow, sign = ("▲", "+") if delta > 0 else ("▼", "−")
    return translate(
        language, "okr.change.moved", change=f"{arrow} {sign}{amount(kr, abs(delta), language)}"
    )


def key_result_line(
    kr: KeyResult, language: str, change: Change | None = None, *, bullet: str = ""
) -> str:
    """`KR1.1` text — 12 / 20 · ▓▓▓▓▓▓░░░░ 60 % (· ▲ +3 since the last Weekly)."""
    share = kr_progress(kr)
    line = (
        f"{bullet}`{kr.label}` {_text(kr.text)} — "
        f"{amount(kr, kr.value, language)} / {amount(kr, kr.target, language)}"
        f" · {bar(share)} {percent(share, language)}"
    )
    moved = change_text(change, kr, language)
    return f"{line} · {moved}" if moved else line


def objective_line(objective: Objective, language: str) -> str:
    share = objective_progress(objective)
    shown = f" — {percent(share, language)}" if share is not None else ""
    return f"*{objective.label}* {_text(objective.text)}{shown}"


def _objective_lines(
    objectives: Sequence[Objective], language: str, changes: Mapping[int, Change] | None = None
) -> list[str]:
    lines: list[str] = []
    for objective in objectives:
        lines.append(objective_line(objective, language))
        lines += [
            key_result_line(kr, language, (changes or {}).get(kr.id), bullet="    ")
            for kr in objective.key_results
        ]
        if not objective.key_results:
            lines.append("    " + translate(language, "okr.list.no_key_results"))
    return lines


def list_message(language: str, okrs: OkrSet) -> Message:
    """`/okr`: the channel's open objectives and key results with the team's progress."""
    title = translate(language, "okr.list.title")
    if not okrs.objectives:
        return title, [bk.section(translate(language, "okr.list.empty"))]
    blocks = [bk.header(title), *bk.sections(_objective_lines(okrs.objectives, language))]
    blocks.append(bk.context(translate(language, "okr.list.hint")))
    return title, bk.limit_blocks(blocks)


def archive_message(
    language: str, quarter: str | None, objectives: Sequence[Objective], quarters: Sequence[str]
) -> Message:
    """`/okr archive [QUARTER]`: how an archived quarter ended."""
    known = ", ".join(quarters) or "—"
    if quarter is None or not objectives:
        key = "okr.archive.none" if not quarters else "okr.archive.unknown"
        text = translate(language, key, quarter=quarter or "", quarters=known)
        return text, [bk.section(text)]
    title = translate(language, "okr.archive.title", quarter=quarter)
    blocks = [bk.header(title), *bk.sections(_objective_lines(objectives, language))]
    blocks.append(bk.context(translate(language, "okr.archive.hint", quarters=known)))
    return title, bk.limit_blocks(blocks)


def objective_post(language: str, objective: Objective) -> Message:
    text = translate(
        language, "okr.post.objective", label=objective.label, text=_text(objective.text)
    )
    return text, [bk.section(text), bk.context(translate(language, "okr.post.objective_hint"))]


def check_in_post(language: str, kr: KeyResult, note: str, author: str) -> Message:
    """A check-in with a note, in the channel: the key result's progress, the note, its author."""
    heading = translate(language, "okr.post.check_in", line=key_result_line(kr, language))
    body = f"{heading}\n:memo: {escape_for_slack(note, {})}\n— {escape_for_slack(author, {})}"
    return truncate(f"{kr.label}: {_text(note)}", 150), [bk.section(body)]


def close_post(language: str, quarter: str, objectives: Sequence[Objective]) -> Message:
    title = translate(language, "okr.post.closed", quarter=quarter)
    blocks = [bk.section(f"*{title}*"), *bk.sections(_objective_lines(objectives, language))]
    blocks.append(bk.context(translate(language, "okr.post.closed_hint", quarter=quarter)))
    return title, bk.limit_blocks(blocks)


def agenda_section(
    language: str, okrs: OkrSet, changes: Mapping[int, Change] | None, weekly_id: int
) -> list[bk.Block]:
    """The Weekly agenda parent's OKR part: each open key result with value / target and the
    change since the last Weekly, at most `AGENDA_KEY_RESULTS` of them, and the check-in
    button. Empty when the channel has no key results."""
    key_results, left_out = capped(okrs.key_results, AGENDA_KEY_RESULTS)
    if not key_results:
        return []
    shown = {kr.id for kr in key_results}
    lines = [f"*{translate(language, 'okr.agenda.title')}*"]
    for objective in okrs.objectives:
        krs = [kr for kr in objective.key_results if kr.id in shown]
        if krs:
            lines.append(objective_line(objective, language))
            lines += [
                key_result_line(kr, language, (changes or {}).get(kr.id), bullet="    ")
                for kr in krs
            ]
    if left_out:
        lines.append(translate(language, "okr.more", count=left_out))
    button = bk.button(
        translate(language, "okr.agenda.check_in"), OPEN_CHECK_IN_ACTION, str(weekly_id)
    )
    return [*bk.sections(lines), bk.actions(button)]


def call_lines(language: str, stale: Sequence[KeyResult]) -> list[str]:
    """The call for items' line naming key results without a check-in for seven days."""
    shown, left_out = capped(stale, CALL_KEY_RESULTS)
    if not shown:
        return []
    names = ", ".join(f"`{kr.label}` {truncate(_text(kr.text), 80)}" for kr in shown)
    if left_out:
        names += " " + translate(language, "okr.more", count=left_out)
    return [translate(language, "okr.call.stale", key_results=names)]


def check_in_modal(language: str, okrs: OkrSet, metadata: Mapping[str, object]) -> bk.Block:
    """Key result (at most 100, in number order), value, note."""
    key_results, _ = capped(okrs.key_results, MAX_OPTIONS)
    options = [
        bk.option(
            f"{kr.label} {' '.join(kr.text.split())}"
            f" ({amount(kr, kr.value, language)} / {amount(kr, kr.target, language)})",
            str(kr.id),
        )
        for kr in key_results
    ]
    select = {
        "type": "input",
        "block_id": "key_result",
        "label": bk.plain(translate(language, "okr.modal.key_result")),
        "element": {"type": "static_select", "action_id": "value", "options": options},
    }
    value = bk.text_input(
        "value",
        translate(language, "okr.modal.value"),
        multiline=False,
        max_length=30,
        placeholder=translate(language, "okr.modal.value_hint"),
    )
    note = bk.text_input(
        "note", translate(language, "okr.modal.note"), optional=True, max_length=1000
    )
    return bk.modal(
        CHECK_IN_MODAL,
        translate(language, "okr.modal.title"),
        [select, value, note],
        submit=translate(language, "okr.modal.submit"),
        close=translate(language, "okr.modal.close"),
        private_metadata=json.dumps(dict(metadata)),
    )
