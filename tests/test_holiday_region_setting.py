"""DEFAULT_HOLIDAY_REGION (contract): a region the `holidays` package knows, or unset."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import load_settings
from tests.test_cli import assert_settings_problems, clean_env, run_bot


@pytest.mark.parametrize("value", ["DE-XX", "XX", "Bavaria", "DE-BY-1"])
def test_a_bad_holiday_region_stops_the_process_naming_it(tmp_path: Path, value: str) -> None:
    result = run_bot(tmp_path, clean_env(DEFAULT_HOLIDAY_REGION=value), "db", "upgrade")
    assert_settings_problems(result, "DEFAULT_HOLIDAY_REGION")
    assert list(tmp_path.iterdir()) == [], "nothing may be created with a bad setting"


@pytest.mark.parametrize(
    ("value", "region"), [("de-be", "DE-BE"), ("AT", "AT"), ("", None), ("off", None)]
)
def test_a_holiday_region_is_read_as_people_write_it(value: str, region: str | None) -> None:
    settings = load_settings(_env_file=None, default_holiday_region=value)
    assert settings.default_holiday_region == region
