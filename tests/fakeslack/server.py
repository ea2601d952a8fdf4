"""Moved to `bot.sandbox.slack.server`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import server

sys.modules[__name__] = server
