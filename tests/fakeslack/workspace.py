"""Moved to `bot.sandbox.slack.workspace`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import workspace

sys.modules[__name__] = workspace
