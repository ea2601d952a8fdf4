"""Moved to `bot.sandbox.slack` (the sandbox and the tests share one Slack stand-in); these
modules keep the old import paths working."""

from bot.sandbox.slack import *  # noqa: F403
from bot.sandbox.slack import __all__ as __all__
