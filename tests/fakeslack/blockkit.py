"""Moved to `bot.sandbox.slack.blockkit`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import blockkit

sys.modules[__name__] = blockkit
