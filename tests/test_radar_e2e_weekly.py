"""Weekly items naming a company a teammate knows or pursues are flagged in the agenda thread."""

from __future__ import annotations

from tests.conftest import BotUnderTest
from tests.test_radar_e2e import replies_in
from tests.test_weekly_support import run_agenda, text_of


def test_weekly_items_naming_a_known_company_are_flagged_once_in_the_agenda_thread(
    bot: BotUnderTest,
) -> None:
    bot.command("/prospect", "knows Siemens Healthineers: Dr. Max Weber (CIO)", user_id="U0002")
    bot.command("/prospect", "Zeiss Meditec", user_id="U0003")
    bot.command("/weekly", "add plan visit Siemens Healthineers and Zeiss Meditec")
    bot.command("/weekly", "add need Siemens Healthineers asks for an API", user_id="U0003")
    bot.command("/weekly", "add done called Zeiss Meditec", user_id="U0003")
    agenda_ts = run_agenda(bot)
    flags = [c for c in replies_in(bot, agenda_ts) if "Prospect radar" in c.params["text"]]
    assert len(flags) == 1, "once per company per thread, and not Carla's own announcement"
    text = text_of(flags[0])
    assert "<@U0002> knows Dr. Max Weber (CIO) at Siemens Healthineers" in text
    assert "<@U0003> is already in touch with Zeiss Meditec since 25 Nov" in text
