"""The registry of scheduled jobs by their contract names (`python -m bot run JOB`).

When the clock runs each one, and until when, is `schedules.windows`' business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.runtime import Runtime
from schedules import daily, weekly

# (runtime, team, channel, the moment it is for); raises when Slack did not accept its posts,
# `schedules.later.RunLater` when part of it must wait; may return a note for its outcome line.
JobFunction = Callable[[Runtime, str, str, datetime], str | None]

JOBS: dict[str, JobFunction] = {
    "daily-prompt": daily.daily_prompt,
    "daily-reminder": daily.daily_reminder,
    "daily-summary": daily.daily_summary,
    "weekly-call": weekly.weekly_call,
    "weekly-agenda": weekly.weekly_agenda,
}
