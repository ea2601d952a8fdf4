"""Moved to `bot.sandbox.slack.driver`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import driver

sys.modules[__name__] = driver
