"""What every part of the fake workspace shares: Slack's two kinds of refusal and its booleans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The first message ts the fake hands out (24 Nov 2025), unless it follows a test's clock.
FIRST_TS = 1_764_000_000
Handler = Callable[[dict[str, Any], str], dict[str, Any]]


class ApiError(Exception):
    """An ok:false answer a correct app must cope with (channel_not_found, user_not_found…)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class Rejected(Exception):
    """A request real Slack would refuse outright, which means a bug in the app."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


def truthy(value: Any) -> bool:
    """slack_sdk sends booleans as "1"/"0" in form bodies and as true/false in JSON."""
    return value in (True, 1, "1", "true", "True")
