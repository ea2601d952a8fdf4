"""The time zones a settings modal offers: IANA names grouped by region for a static_select.

Slack allows at most 100 options per group (and 100 groups); America has more zones than
that, so a region is split into alphabetical parts ("America A–L", "America M–Z").
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from bot import blocks as bk

# The regions people live in; legacy aliases ("US/Eastern", "Etc/GMT+5") are left out.
AREAS = (
    "Europe",
    "America",
    "Asia",
    "Africa",
    "Australia",
    "Pacific",
    "Atlantic",
    "Indian",
    "Antarctica",
)
OTHER = "UTC"
MAX_OPTIONS_PER_GROUP = 100


@cache
def zone_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(label, zone names) per group, in AREAS order, each group at most 100 names."""
    zones = sorted(available_timezones())
    groups: list[tuple[str, tuple[str, ...]]] = []
    for area in AREAS:
        names = [zone for zone in zones if zone.startswith(area + "/")]
        parts = -(-len(names) // MAX_OPTIONS_PER_GROUP)
        size = -(-len(names) // parts) if parts else 0
        for start in range(0, len(names), size or 1):
            chunk = tuple(names[start : start + size])
            label = area
            if parts > 1:
                label = f"{area} {_city(chunk[0])[0]}–{_city(chunk[-1])[0]}"
            groups.append((label, chunk))
    groups.append((OTHER, (OTHER,)))
    return tuple(groups)


def _city(zone: str) -> str:
    return zone.split("/", 1)[-1]


def zone_label(zone: str) -> str:
    """ "America/New_York" as people read it: "America/New York"."""
    return zone.replace("_", " ")


def offered(zone: str) -> bool:
    return any(zone in names for _, names in zone_groups())


def timezone_select(label: str, current: str, block_id: str = "timezone") -> bk.Block:
    """An input picking an IANA zone, grouped by region (Slack: at most 100 options per group);
    a zone stored earlier that the list lacks ("US/Eastern") is offered too, so it stays
    selected."""
    groups = [
        {"label": bk.plain(name), "options": [bk.option(zone_label(z), z) for z in zones]}
        for name, zones in zone_groups()
    ]
    if not offered(current):
        groups.append(
            {"label": bk.plain(current), "options": [bk.option(zone_label(current), current)]}
        )
    return {
        "type": "input",
        "block_id": block_id,
        "label": bk.plain(label, 2000),
        "element": {
            "type": "static_select",
            "action_id": "value",
            "option_groups": groups,
            "initial_option": bk.option(zone_label(current), current),
        },
    }
