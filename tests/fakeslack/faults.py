"""Moved to `bot.sandbox.slack.faults`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import faults

sys.modules[__name__] = faults
