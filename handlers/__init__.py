"""Bolt listeners, one module per pillar; each module has `register(app, runtime, after_ack)`."""

from __future__ import annotations

from concurrent.futures import Executor

from slack_bolt import App

from bot.runtime import Runtime
from handlers import daily, events, messages, prospects, weekly


def register_all(app: App, runtime: Runtime, after_ack: Executor) -> None:
    events.register_middleware(app, runtime)  # first: drops repeated events before any listener
    # Bolt tries listeners in this order and each failed match costs ~40 µs of the ack, so the
    # slash commands, which people wait for, come first and the background events last.
    daily.register(app, runtime, after_ack)
    weekly.register(app, runtime, after_ack)
    prospects.register(app, runtime, after_ack)
    messages.register(app, runtime, after_ack)  # the one `message` listener (see its docstring)
    events.register(app, runtime, after_ack)
