"""Bolt listeners, one module per pillar; each module has `register(app, runtime)`."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime
from handlers import daily, events


def register_all(app: App, runtime: Runtime) -> None:
    events.register(app, runtime)  # first: its middleware drops repeated events
    daily.register(app, runtime)
