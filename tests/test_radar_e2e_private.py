"""An announcement made in a private channel is flagged and listed only in that channel."""

from __future__ import annotations

from tests.conftest import CHANNEL, BotUnderTest
from tests.test_daily_e2e import _text_of
from tests.test_radar_e2e import announcements, replies_in, ts_of

PRIVATE = "C0PRIVATE"


def announce_in(bot: BotUnderTest, channel_id: str, text: str, user_id: str) -> str:
    bot.command("/prospect", text, user_id=user_id, channel_id=channel_id)
    return ts_of(announcements(bot)[-1], bot)


def test_a_private_channels_announcement_is_not_flagged_in_a_public_channel(
    bot: BotUnderTest,
) -> None:
    bot.fake.add_channel(PRIVATE, name="key-accounts", is_private=True)
    bot.fake.set_members(PRIVATE, ["U0003", "UBOT"])
    announce_in(bot, PRIVATE, "Zeiss Meditec: tender in Q1", user_id="U0003")

    public_ts = announce_in(bot, CHANNEL, "Zeiss Meditec", user_id="U0001")
    assert replies_in(bot, public_ts) == [], "nothing from the private channel leaks out"

    bot.command("/prospect", "list", user_id="U0002")
    listed = _text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert "Carla" not in listed and "Anna" in listed


def test_inside_the_private_channel_its_announcements_are_flagged_as_usual(
    bot: BotUnderTest,
) -> None:
    bot.fake.add_channel(PRIVATE, name="key-accounts", is_private=True)
    bot.fake.set_members(PRIVATE, ["U0001", "U0003", "UBOT"])
    announce_in(bot, PRIVATE, "Zeiss Meditec", user_id="U0003")
    ts = announce_in(bot, PRIVATE, "zeiss meditec ag", user_id="U0001")
    [flag] = replies_in(bot, ts)
    assert "<@U0003> is already in touch" in _text_of(flag)


def test_a_public_announcement_is_still_flagged_in_a_private_channel(bot: BotUnderTest) -> None:
    bot.fake.add_channel(PRIVATE, name="key-accounts", is_private=True)
    bot.fake.set_members(PRIVATE, ["U0001", "UBOT"])
    announce_in(bot, CHANNEL, "Zeiss Meditec", user_id="U0003")
    ts = announce_in(bot, PRIVATE, "Zeiss Meditec", user_id="U0001")
    [flag] = replies_in(bot, ts)
    assert "<@U0003> is already in touch" in _text_of(flag)
