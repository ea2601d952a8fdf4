"""Moved to `bot.sandbox.slack.oauth`; this name is the same module, private names included."""

import sys

from bot.sandbox.slack import oauth

sys.modules[__name__] = oauth
