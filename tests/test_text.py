"""Slack text in and out: decoding what users send, and making sure nothing the bot posts pings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import (
    decode_slack_text,
    escape_for_slack,
    mention,
    mentioned_user_ids,
    neutralise_plain,
    truncate,
)
from tests.support import assert_cannot_ping_beyond_user_mentions

# Pieces of Slack markup, so generated text often forms (or nearly forms) real tokens.
SLACK_FRAGMENTS = st.sampled_from(
    [
        "<", ">", "|", "@", "!", "#", "^", "&", ";", "amp", "lt", "gt", "&amp;", "&lt;", "&gt;",
        "@U123", "@W9", "@S1", "!here", "!channel", "!everyone", "!subteam^S1", "!date^1^{date}",
        "#C1", "http://a.b", "https://x.y", "mailto:a@b.c", "U1", "W2", " ", "\n", "x",
    ]
)  # fmt: skip
SLACKISH_TEXT = st.one_of(
    st.text(),
    st.lists(SLACK_FRAGMENTS | st.text(max_size=3), max_size=30).map("".join),
)
NAMES = st.none() | st.dictionaries(st.sampled_from(["U123", "W9", "U1"]), st.text(max_size=8))


# --- decode_slack_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("<@U123>", "<@U123>"),
        ("<@U123|anna>", "<@U123>"),
        ("<@W0ABC|boss> hi", "<@W0ABC> hi"),
        ("<#C123|sales>", "#sales"),
        ("<#C123>", "#C123"),
        ("<!here>", "@here"),
        ("<!channel>", "@channel"),
        ("<!everyone>", "@everyone"),
        ("<!here|here>", "@here"),
        ("<!subteam^S123|@sales-team>", "@sales-team"),
        ("<!subteam^S123>", "@group"),
        ("<!date^1392734382^{date_pretty}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<http://acme.com|acme.com>", "acme.com"),
        ("<https://x.y>", "https://x.y"),
        ("<mailto:a@acme.com|a@acme.com>", "a@acme.com"),
        ("<mailto:a@acme.com>", "a@acme.com"),
        ("<https://x.y/?a=1&amp;b=2|the &amp; link>", "the & link"),
        ("Tom &amp; Jerry &lt;3 &gt;", "Tom & Jerry <3 >"),
        ("&amp;lt;", "&lt;"),
        ("plain text", "plain text"),
    ],
)
def test_decode_turns_slack_markup_into_plain_text(raw: str, plain: str) -> None:
    assert decode_slack_text(raw) == plain


def test_decode_a_whole_slash_command() -> None:
    raw = "today: call <http://mueller.de|Müller AG> with <@U42|eva> &amp; <!here> in <#C9|sales>"
    assert decode_slack_text(raw) == "today: call Müller AG with <@U42> & @here in #sales"


@given(SLACKISH_TEXT)
def test_decode_never_crashes(raw: str) -> None:
    assert isinstance(decode_slack_text(raw), str)


# --- escape_for_slack ----------------------------------------------------------------------------


def test_escape_keeps_canonical_user_mentions() -> None:
    assert escape_for_slack("ask <@U123> & <@W9AB>") == "ask <@U123> &amp; <@W9AB>"


def test_escape_renders_known_users_by_name_without_pinging() -> None:
    names = {"U123": "Anna <Sales> & Co"}
    assert escape_for_slack("ask <@U123>", names) == "ask @Anna &lt;Sales&gt; &amp; Co"


def test_escape_renders_unknown_users_as_their_id_when_names_are_given() -> None:
    assert escape_for_slack("ask <@U999>", {}) == "ask @U999"


@pytest.mark.parametrize(
    "text",
    [
        "<!here>",
        "<!channel>",
        "<!everyone>",
        "<!subteam^S1|@x>",
        "<@S123>",
        "<#C123|sales>",
        "<http://evil.example|click>",
        "<mailto:a@b.c>",
        "<@U123|anna>",
        "<@u123>",
    ],
)
def test_escape_neutralises_raw_markup_from_user_text(text: str) -> None:
    posted = escape_for_slack(text)
    assert "<" not in posted
    assert posted == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(
    ("raw", "posted"),
    [
        ("<!here> please", "@here please"),
        ("<!channel>", "@channel"),
        ("<!everyone>", "@everyone"),
        ("<!subteam^S1|@x>", "@x"),
        ("&lt;!here&gt;", "&lt;!here&gt;"),
        ("see <http://acme.com|acme.com>", "see acme.com"),
    ],
)
def test_decoded_broadcasts_and_groups_are_posted_as_plain_words(raw: str, posted: str) -> None:
    assert escape_for_slack(decode_slack_text(raw)) == posted


def test_ampersand_round_trips() -> None:
    assert decode_slack_text("R&amp;D &amp;amp;") == "R&D &amp;"
    assert escape_for_slack(decode_slack_text("R&amp;D &amp;amp;")) == "R&amp;D &amp;amp;"


@given(SLACKISH_TEXT, NAMES)
def test_escaped_text_can_only_mention_users(text: str, names: dict[str, str] | None) -> None:
    assert_cannot_ping_beyond_user_mentions(escape_for_slack(text, names))
    assert_cannot_ping_beyond_user_mentions(escape_for_slack(decode_slack_text(text), names))


@given(SLACKISH_TEXT, st.dictionaries(st.text(max_size=4), st.text(max_size=8)))
def test_escape_with_names_never_pings(text: str, names: dict[str, str]) -> None:
    assert "<" not in escape_for_slack(decode_slack_text(text), names)


# --- mention and mentioned_user_ids --------------------------------------------------------------


def test_mention_builds_the_ping_token() -> None:
    assert mention("U123") == "<@U123>"
    assert mention("W0AB") == "<@W0AB>"


@pytest.mark.parametrize(
    "user_id", ["", "U", "S123", "C123", "!here", "U12>", "u123", "U1|x", "U123\n"]
)
def test_mention_rejects_anything_but_a_user_id(user_id: str) -> None:
    with pytest.raises(ValueError):
        mention(user_id)


def test_mentioned_user_ids_lists_each_user_once_in_order() -> None:
    assert mentioned_user_ids("<@U22> and <@W11>, again <@U22>; not <@S33>") == ["U22", "W11"]


# --- truncate ------------------------------------------------------------------------------------


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("short", 5) == "short"


def test_truncate_marks_the_cut_with_an_ellipsis() -> None:
    assert truncate("abcdefghij", 5) == "abcd…"


def test_truncate_never_splits_an_entity() -> None:
    assert truncate("abc &amp; def", 8) == "abc…"


def test_truncate_never_splits_a_mention() -> None:
    assert truncate("ab <@U12345> cd", 9) == "ab…"


def test_truncate_never_splits_a_link() -> None:
    assert truncate("see <https://acme.com|Acme> now", 12) == "see…"


def test_truncate_keeps_accents_and_emoji_whole() -> None:
    assert truncate("cafe\u0301 au lait", 5) == "caf…"
    assert truncate("go 👩\u200d💻 team", 6) == "go…"


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_truncate_respects_the_limit(text: str, limit: int) -> None:
    shortened = truncate(text, limit)
    assert len(shortened) <= limit
    if shortened != text:
        assert shortened.endswith("…")
        assert text.startswith(shortened[:-1])


@given(SLACKISH_TEXT, st.integers(min_value=1, max_value=40))
def test_truncated_escaped_text_stays_safe(text: str, limit: int) -> None:
    shortened = truncate(escape_for_slack(decode_slack_text(text)), limit)
    assert_cannot_ping_beyond_user_mentions(shortened)


# --- neutralise_plain ----------------------------------------------------------------------------


def test_neutralise_plain_strips_control_and_invisible_characters() -> None:
    assert neutralise_plain("a\u200bb\u200cc\u2060d\ufeffe\u202ef\x00g\x1bh") == "abcdefgh"


def test_neutralise_plain_keeps_lines_tabs_and_emoji() -> None:
    assert neutralise_plain("Mo\r\nDi\tMi 👩\u200d💻 ✔\ufe0f") == "Mo\nDi\tMi 👩\u200d💻 ✔\ufe0f"


def test_neutralise_plain_drops_a_joiner_between_letters() -> None:
    assert neutralise_plain("a\u200db") == "ab"


@given(st.text())
def test_neutralise_plain_leaves_no_invisible_characters(text: str) -> None:
    cleaned = neutralise_plain(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u200c\u2060\ufeff\u202a-\u202e]", cleaned)
