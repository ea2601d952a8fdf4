"""Bolt listeners, one module per pillar; each module has `register(app, runtime, inbox)`."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime
from handlers import board, daily, events, home, installs, messages, okr, prospects, weekly
from handlers.inbox import Inbox


def register_all(app: App, runtime: Runtime, inbox: Inbox) -> None:
    # Bolt tries listeners in this order and each failed match costs ~40 µs of the ack, so the
    # slash commands, which people wait for, come first and the background events last.
    daily.register(app, runtime, inbox)
    weekly.register(app, runtime, inbox)
    prospects.register(app, runtime, inbox)
    board.register(app, runtime, inbox)
    okr.register(app, runtime, inbox)
    home.register(app, runtime, inbox)
    messages.register(app, runtime, inbox)  # the one `message` listener (see its docstring)
    events.register(app, runtime, inbox)
    installs.register(app, runtime, inbox)
