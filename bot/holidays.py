"""Public holidays of a region (country, optionally a subdivision: DE, DE-BY, CH-ZH, US-CA).

The `holidays` package knows the rules of each country and its subdivisions; this module only
reads region codes as people type them and answers per date. Pure: no Slack, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

OFF = "off"
# How far a working day is looked for: a run of holidays and a weekend never lasts longer.
_SEARCH_DAYS = 30
WORKDAYS = frozenset({0, 1, 2, 3, 4})
_REGION = re.compile(r"(?P<country>[A-Za-z]{2})(?:[-_ ](?P<subdivision>[A-Za-z0-9]{1,10}))?")


@dataclass(frozen=True)
class Region:
    country: str
    subdivision: str | None = None

    @property
    def code(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country


def parse_region(text: str) -> Region:
    """A region code as typed ("de-by", "DE BY", "AT"); ValueError when `holidays` lacks it."""
    match = _REGION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a region like DE, DE-BY, AT, CH-ZH or US-CA")
    country = match["country"].upper()
    if country not in holidays.list_supported_countries():
        raise ValueError(f"{country!r}: no public holidays known for this country")
    subdivision = match["subdivision"]
    if subdivision is None:
        return Region(country)
    known = {name.upper(): name for name in _subdivisions(country)}
    if subdivision.upper() not in known:
        raise ValueError(f"{country}-{subdivision}: no such subdivision")
    return Region(country, known[subdivision.upper()])


def _subdivisions(country: str) -> tuple[str, ...]:
    return tuple(holidays.country_holidays(country).subdivisions)


@lru_cache(maxsize=512)
def _calendar(code: str, year: int) -> holidays.HolidayBase:
    region = parse_region(code)
    calendar = holidays.country_holidays(region.country, subdiv=region.subdivision, years=year)
    # English names where the country has them (the clock's lines are English).
    if "en_US" in calendar.supported_languages:
        calendar = holidays.country_holidays(
            region.country, subdiv=region.subdivision, years=year, language="en_US"
        )
    return calendar


def holiday_name(region: str | None, day: date) -> str | None:
    """The holiday's name when `day` is a public holiday of `region` (None or "off": none)."""
    if not region or region == OFF:
        return None
    name = _calendar(region, day.year).get(day)
    return str(name) if name else None


def is_working_day(region: str | None, day: date) -> bool:
    return day.weekday() in WORKDAYS and holiday_name(region, day) is None


def next_working_day(region: str | None, day: date) -> date:
    """`day` itself when it is a working day (Mon–Fri, no holiday), else the next one."""
    for offset in range(_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(region, candidate):
            return candidate
    return day


def working_day_before(region: str | None, day: date) -> date:
    """The last working day (Mon–Fri, no holiday) before `day`."""
    for offset in range(1, _SEARCH_DAYS):
        candidate = day - timedelta(days=offset)
        if is_working_day(region, candidate):
            return candidate
    return day - timedelta(days=1)


def effective_region(stored: str | None, default: str | None) -> str | None:
    """A channel's region: its own, none when it chose "off", else the deployment's default."""
    if stored == OFF:
        return None
    return stored or default or None
