"""Moved to `bot.sandbox.slack.base`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import base

sys.modules[__name__] = base
