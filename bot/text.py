"""Slack text in and out: decode what users send, escape what the bot posts.

Slack encodes mentions, links and special commands as ``<…>`` tokens and escapes ``& < >``
(https://api.slack.com/reference/surfaces/formatting). Everything the bot stores is plain text
(decoded once, on the way in); everything it posts as ``mrkdwn`` goes through
`escape_for_slack`, which is the single place that decides what may ping someone. That is why
the only token that survives a round trip is the canonical user mention ``<@U…>``: the bot can
render it as a name or, where the product wants a ping, keep it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# A Slack user id (``U…``, or ``W…`` in Enterprise Grid). Channel (``C…``) and user-group
# (``S…``) ids are deliberately excluded: those must never be produced from user text.
_USER_ID = r"[UW][A-Z0-9]{2,}"
USER_ID_PATTERN = re.compile(_USER_ID)  # use with fullmatch: "$" would allow a trailing "\n"

# One encoded Slack token: ``<target>`` or ``<target|label>``. With ``should_escape`` the
# brackets themselves cannot appear inside a token, so the shortest bracketed run is the token.
_SLACK_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")

# The only markup `escape_for_slack` lets through from text: the canonical mention token.
_CANONICAL_MENTION = re.compile(rf"<@({_USER_ID})>")

# A URL-like token target (``http:``, ``mailto:``, ``tel:``, …) as opposed to ``@``/``#``/``!``.
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

# The three entities Slack escapes; matched in one pass so ``&amp;lt;`` decodes to ``&lt;``.
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITY_TEXT = {"amp": "&", "lt": "<", "gt": ">"}

# Spans `truncate` must not cut through: an HTML entity, or a Slack token the bot built itself
# (mention, channel, special command, link). Only those shapes count, so a stray ``<`` in
# plain text cannot make the cut jump back to it.
_UNSPLITTABLE = re.compile(r"&#?[A-Za-z0-9]+;|<(?:[@#!]|[A-Za-z][A-Za-z0-9+.-]*:)[^<>]*>")

# Special commands that become plain words; Slack pings only the encoded form, not the word.
_BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}

# Every way of breaking a line, so `neutralise_plain` keeps line structure but one kind of break.
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# Control, format (zero-width, bidi) and lone surrogate characters: invisible, or not encodable
# in a Block Kit payload. Unassigned code points stay: they may be emoji newer than Python's
# Unicode tables.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})

ELLIPSIS = "…"
# How much of what someone typed a confirmation or error message quotes back to them.
QUOTE_LIMIT = 120
_ZERO_WIDTH_JOINER = "\u200d"
_VARIATION_SELECTOR_EMOJI = "\ufe0f"


def decode_slack_text(raw: str) -> str:
    """Turn Slack's encoded message text into the plain text the bot stores and parses."""
    return _ENTITY.sub(
        lambda match: _ENTITY_TEXT[match.group(1)],
        _SLACK_TOKEN.sub(_decode_token, raw),
    )


def _decode_token(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        user_id = target[1:]
        if USER_ID_PATTERN.fullmatch(user_id):
            return f"<@{user_id}>"
        return label or target
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        return _decode_special(target[1:], label)
    if _URL_SCHEME.match(target):
        if label:
            return label
        return target.removeprefix("mailto:")
    # Not a Slack token at all (e.g. text that was never escaped): keep it as typed.
    return match.group(0)


def _decode_special(command: str, label: str | None) -> str:
    name = command.split("^", 1)[0].lower()
    if name in _BROADCASTS:
        return _BROADCASTS[name]
    if name == "subteam":
        return label or "@group"
    # ``<!date^…|fallback>`` and any future command: the fallback is what a reader would see.
    return label or ""


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_for_slack(text: str, user_names: Mapping[str, str] | None = None) -> str:
    """Make ``text`` safe to post as ``mrkdwn``: no user text can ping a group or form a link.

    Only canonical user mentions ``<@U…>`` pass through. With ``user_names`` (even an empty
    mapping) the caller asks for a ping-free rendering: known ids become ``@Name`` and unknown
    ones ``@U…``, so summaries can name people without notifying them.
    """
    pieces: list[str] = []
    position = 0
    for match in _CANONICAL_MENTION.finditer(text):
        pieces.append(_escape_plain(text[position : match.start()]))
        user_id = match.group(1)
        if user_names is None:
            pieces.append(f"<@{user_id}>")
        else:
            pieces.append("@" + _escape_plain(user_names.get(user_id) or user_id))
        position = match.end()
    pieces.append(_escape_plain(text[position:]))
    return "".join(pieces)


def quote_user_text(text: str, limit: int = QUOTE_LIMIT) -> str:
    """What someone typed, quoted back in a confirmation or error: on one line, shortened, and
    escaped without names, so nothing in it can ping or link (a mention shows as ``@U…``)."""
    return escape_for_slack(truncate(" ".join(text.split()), limit), {})


def mentioned_user_ids(text: str) -> list[str]:
    """The users decoded text mentions, once each in order, so their names can be looked up."""
    return list(dict.fromkeys(_CANONICAL_MENTION.findall(text)))


def mention(user_id: str) -> str:
    """The token that pings ``user_id``; validated so no caller can smuggle in ``<!here>``."""
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return f"<@{user_id}>"


def truncate(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, marking the cut with an ellipsis.

    Cutting inside ``&amp;`` or ``<@U123>`` would leave broken markup (or a stray ``<``), so the
    cut moves back to before such a span; it also never strands a combining mark or emoji
    modifier without its base character.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    for span in _UNSPLITTABLE.finditer(text):
        if span.start() >= cut:
            break
        if span.end() > cut:
            cut = span.start()
            break
    while cut > 0 and (
        _continues_previous_character(text[cut]) or text[cut - 1] == _ZERO_WIDTH_JOINER
    ):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def _continues_previous_character(char: str) -> bool:
    is_skin_tone = "\U0001f3fb" <= char <= "\U0001f3ff"
    return (
        unicodedata.combining(char) != 0
        or char in (_ZERO_WIDTH_JOINER, _VARIATION_SELECTOR_EMOJI)
        or is_skin_tone
    )


def neutralise_plain(text: str) -> str:
    """Clean text for Block Kit ``plain_text`` fields, which Slack shows verbatim.

    Control and invisible formatting characters (zero-width spaces, bidi overrides) let a name
    or title look like something it is not, so they go. A zero-width joiner stays only between
    symbols, where it glues emoji sequences such as 👩‍💻 together.
    """
    text = _LINE_BREAKS.sub("\n", text)
    kept: list[str] = []
    for index, char in enumerate(text):
        if char in "\n\t":
            kept.append(char)
        elif char == _ZERO_WIDTH_JOINER:
            if _joins_emoji(text, index):
                kept.append(char)
        elif unicodedata.category(char) not in _INVISIBLE_CATEGORIES:
            kept.append(char)
    return "".join(kept)


def _joins_emoji(text: str, index: int) -> bool:
    if index == 0 or index + 1 >= len(text):
        return False
    before, after = text[index - 1], text[index + 1]
    before_is_emoji = (
        unicodedata.category(before) == "So"
        or before == _VARIATION_SELECTOR_EMOJI
        or _continues_previous_character(before)
    )
    return before_is_emoji and unicodedata.category(after) == "So"
