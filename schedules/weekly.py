"""The Weekly's scheduled jobs. Module-level functions taking ids, so any runner can call them."""

from __future__ import annotations

from datetime import datetime

from bot.board.sprint import post_sprint_planning
from bot.runtime import Runtime
from bot.weekly import agenda, service


def weekly_call(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    """The call for items of the next Weekly after `at`."""
    config = service.activate(runtime, service.weekly_config(runtime, team_id, channel_id))
    agenda.post_call(runtime, runtime.client_for(team_id), config, at)


def weekly_agenda(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
    """The agenda of the Weekly due on `at`'s day, or the next one after it."""
    config = service.activate(runtime, service.weekly_config(runtime, team_id, channel_id))
    client = runtime.client_for(team_id)
    weekly = agenda.post_agenda(runtime, client, config, at)
    # Sprint planning: each member's board in the agenda's thread (cards, never counts).
    post_sprint_planning(runtime, client, team_id, channel_id, config.language, weekly)
