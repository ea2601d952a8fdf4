"""The registry of scheduled jobs by their contract names (`python -m bot run JOB`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.runtime import Runtime
from bot.schedule import WeeklyPattern
from schedules import daily, weekly

JobFunction = Callable[[Runtime, str, str, datetime], None]
PatternSource = Callable[[Runtime, str, str], dict[str, WeeklyPattern]]


@dataclass(frozen=True)
class Pillar:
    jobs: dict[str, JobFunction]
    patterns: PatternSource


PILLARS: list[Pillar] = [
    Pillar(
        jobs={
            "daily-prompt": daily.daily_prompt,
            "daily-reminder": daily.daily_reminder,
            "daily-summary": daily.daily_summary,
        },
        patterns=daily.daily_patterns,
    ),
    Pillar(
        jobs={"weekly-call": weekly.weekly_call, "weekly-agenda": weekly.weekly_agenda},
        patterns=weekly.weekly_patterns,
    ),
]

JOBS: dict[str, JobFunction] = {
    name: job for pillar in PILLARS for name, job in pillar.jobs.items()
}


def channel_patterns(runtime: Runtime, team_id: str, channel_id: str) -> dict[str, WeeklyPattern]:
    patterns: dict[str, WeeklyPattern] = {}
    for pillar in PILLARS:
        patterns.update(pillar.patterns(runtime, team_id, channel_id))
    return patterns
