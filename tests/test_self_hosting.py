"""The Dockerfile and compose.yaml agree with the Procfile and with PRODUCT.md's settings.

No container engine runs in the tests (or on the machine this was written on): the image is
never built here, so these checks are what keeps the files from drifting.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = Path("/work/shared/PRODUCT.md")
# PRODUCT.md's contract, as of this writing; the test reads the file too when it is there.
CONTRACT_VARIABLES = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "DATABASE_URL",
    "SLACK_API_URL",
    "PORT",
    "DEFAULT_TIMEZONE",
    "DEFAULT_LANGUAGE",
    "DEFAULT_HOLIDAY_REGION",
}


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {
        name.strip(): shlex.split(command)
        for name, _, command in (line.partition(":") for line in lines if line.strip())
    }


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def dockerfile() -> list[str]:
    """Instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[:1] != "#"]


def instruction(name: str) -> list[str]:
    return [line[len(name) :].strip() for line in dockerfile() if line.startswith(name + " ")]


def contract_variables() -> set[str]:
    if not PRODUCT.exists():
        return CONTRACT_VARIABLES
    text = PRODUCT.read_text()
    section = text.split("## Configuration (contract)", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z_]+)`", section))


def test_compose_runs_the_procfiles_commands() -> None:
    services = compose()["services"]
    for name, service in (("web", "web"), ("clock", "clock")):
        command = services[service]["command"]
        assert (shlex.split(command) if isinstance(command, str) else command) == procfile()[name]
    assert services["web"]["ports"] == ["${PORT:-3000}:3000"]


@pytest.mark.parametrize("service", ["web", "clock"])
def test_compose_passes_every_setting_of_the_contract(service: str) -> None:
    environment = compose()["services"][service]["environment"]
    assert contract_variables() <= set(environment), "PRODUCT.md's settings reach the process"
    assert contract_variables() >= CONTRACT_VARIABLES
    # And every variable given is one the settings know (or gunicorn's WEB_CONCURRENCY).
    known = {name.upper() for name in Settings.model_fields} | {"WEB_CONCURRENCY"}
    assert set(environment) - known <= {"DEFAULT_HOLIDAY_REGION"}, "a typo would go unnoticed"
    database = environment["DATABASE_URL"]
    assert database.startswith("postgresql+psycopg://") and "@db:5432/" in database
    assert compose()["services"][service]["depends_on"]["db"]["condition"] == "service_healthy"


def test_only_the_web_service_is_health_checked() -> None:
    services = compose()["services"]
    assert services["clock"]["healthcheck"] == {"disable": True}
    assert "healthcheck" not in services["web"], "the image's HEALTHCHECK on /healthz"


def test_the_image_is_slim_python_311_runs_as_a_user_and_checks_healthz() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    [user] = instruction("USER")
    assert user not in ("root", "0")
    [healthcheck] = instruction("HEALTHCHECK")
    assert "/healthz" in healthcheck and "PORT" in healthcheck
    [cmd] = instruction("CMD")
    assert yaml.safe_load(cmd) == procfile()["web"]


def test_the_image_holds_every_package_the_project_ships() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {line.split()[0] for line in instruction("COPY")}
    assert packages <= copied
    assert {"pyproject.toml", "README.md"} <= set(" ".join(instruction("COPY")).split())
