"""Keeps request bodies and users' texts out of the log, whatever level anyone sets.

Bolt logs a refused request's body at INFO, slack_sdk every Web API call with its text and every
response_url post at DEBUG. Their records below WARNING are dropped by a filter on each of their
loggers, and the few warnings that quote a payload keep only its type and ids. A level alone
does not hold: Bolt copies the root logger's level into each logger it makes for an App.
"""

from __future__ import annotations

import logging
import re
import sys

LIBRARIES = ("slack_bolt", "slack_sdk")
# Bolt's warnings that quote a request; `Unhandled request` quotes users' input for some types.
_QUOTES_PAYLOAD = re.compile(r"^(Unhandled request|A global middleware \(\S+\) skipped)")
# Types and ids in a quoted payload: chosen by Slack or by the app, never typed by users.
_SAFE_FIELD = re.compile(r"'(type|subtype|command|callback_id|action_id|block_id)': '([\w/.:-]*)'")


class LibraryRecordFilter(logging.Filter):
    """Lets through a library's warnings and errors only, without any payload in them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        message = record.getMessage()
        quoted = _QUOTES_PAYLOAD.match(message)
        if quoted is not None:
            ids = " ".join(f"{name}={value}" for name, value in _SAFE_FIELD.findall(message))
            record.msg, record.args = f"{quoted.group(1)} ({ids or 'payload not logged'})", None
        return True


LIBRARY_RECORD_FILTER = LibraryRecordFilter()


def bolt_base_logger() -> logging.Logger:
    """For `App(logger=...)`: Bolt gives each logger it makes this level and these filters."""
    filter_library_loggers()
    return logging.getLogger("slack_bolt")


def filter_library_loggers() -> None:
    """Puts the filter on the loggers of slack_bolt and slack_sdk, and on their modules' ones.

    Their clients make a logger named after their module only when the first client is built;
    made here for every module loaded so far, those loggers have the filter from the start.
    """
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in {*sys.modules, *logging.root.manager.loggerDict}:
        if name.split(".")[0] not in LIBRARIES:
            continue
        logger = logging.getLogger(name)
        if LIBRARY_RECORD_FILTER not in logger.filters:
            logger.addFilter(LIBRARY_RECORD_FILTER)
