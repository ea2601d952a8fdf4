"""Moved to `bot.sandbox.slack.history`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import history

sys.modules[__name__] = history
