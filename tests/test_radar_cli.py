"""`python -m bot radar explain NAME_A NAME_B` as a user runs it: no Slack settings, no database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import clean_env


def explain(tmp_path: Path, *names: str) -> subprocess.CompletedProcess[str]:
    # An empty directory and an environment without SLACK_* or DATABASE_URL: nothing to read.
    return subprocess.run(
        [sys.executable, "-m", "bot", "radar", "explain", *names],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name_a", "name_b", "verdict", "rule"),
    [
        (
            "Müller Maschinenbau GmbH & Co. KG",
            "mueller-maschinenbau.de",
            "same",
            "domain-matches-name",
        ),
        ("Deutsche Bank AG", "Deutsche Bahn AG", "different", "shared-word-only"),
        ("Siemens", "Siemsns", "same", "one-typo"),
        ("", "Siemens", "different", "empty"),
    ],
)
def test_explain_prints_the_reading_the_rule_and_last_the_verdict(
    tmp_path: Path, name_a: str, name_b: str, verdict: str, rule: str
) -> None:
    result = explain(tmp_path, name_a, name_b)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == verdict
    assert f"rule: {rule}" in lines
    assert any(name_a in line for line in lines)
    assert not list(tmp_path.iterdir())  # no database file was created


def test_explain_shows_the_normalised_forms(tmp_path: Path) -> None:
    result = explain(tmp_path, "MÜLLER Logistik GmbH", "anna@mueller-logistik.de")
    assert result.returncode == 0, result.stderr
    assert "muller logistik" in result.stdout
    assert "mueller-logistik.de" in result.stdout
    assert result.stdout.splitlines()[-1] == "same"


def test_explain_needs_two_names(tmp_path: Path) -> None:
    result = explain(tmp_path, "Siemens")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
