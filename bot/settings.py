"""Configuration from the environment or a `.env` file (contract: PRODUCT.md § Configuration)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SQLITE_URL = "sqlite:///redthread.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    database_url: str = DEFAULT_SQLITE_URL
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(default=3000, ge=1, le=65535)
    default_timezone: str = "Europe/Berlin"
    default_language: Literal["en", "de"] = "en"
    # Public holidays without a Daily (e.g. DE-BE); unset: none, unless a channel sets one.
    default_holiday_region: str | None = None
    # How long a stored request belongs to the process that acknowledged it before another
    # takes it up (that process renews it while working); short so a crash costs little.
    inbox_lease_seconds: int = Field(default=60, ge=1, le=3600)

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("default_holiday_region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is None or not value.strip() or value.strip().lower() == "off":
            return None
        from bot.holidays import parse_region

        return parse_region(value).code  # its ValueError names the problem

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        # slack_sdk joins base_url and method name by plain concatenation.
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgres://")
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite:", "postgresql+psycopg:")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        try:
            make_url(value)
        except (ArgumentError, ValueError):
            # No details: they could quote the URL, password included.
            raise ValueError("is not a valid database URL") from None
        return value

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)


class SettingsError(Exception):
    """Settings are missing or malformed; one problem per variable, each naming it."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


REQUIRED = "required for this command but not set"


def load_settings(
    required: Iterable[str] | Callable[[Settings], Iterable[str]] = (), **overrides: object
) -> Settings:
    """The settings, with every malformed variable and every missing `required` one named at
    once — a first run should not take one attempt per forgotten variable. `required` may
    depend on the settings (with OAuth installs no single bot token is needed)."""
    problems: dict[str, str] = {}
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        for found in error.errors():
            field = str(found["loc"][0]) if found["loc"] else "settings"
            message = str(found["msg"]).removeprefix("Value error, ")
            problems.setdefault(field.upper(), message)
        # The defaults of the malformed ones, so the required ones can still be checked.
        defaults = {
            name: info.default
            for name, info in Settings.model_fields.items()
            if name.upper() in problems
        }
        try:
            settings = Settings(**{**overrides, **defaults})  # type: ignore[arg-type]
        except ValidationError:  # not a variable's problem: report what was found
            raise SettingsError(*(f"{name}: {text}" for name, text in problems.items())) from None
    for name in required(settings) if callable(required) else required:
        if not getattr(settings, name.lower()):
            problems.setdefault(name.upper(), REQUIRED)
    if problems:
        raise SettingsError(*(f"{name}: {message}" for name, message in problems.items()))
    return settings


def require(settings: Settings, *names: str) -> None:
    """Fail naming every setting a command needs that is unset."""
    missing = [name.upper() for name in names if not getattr(settings, name.lower())]
    if missing:
        raise SettingsError(*(f"{name}: {REQUIRED}" for name in missing))


def where_settings_come_from() -> str:
    """The pointer printed under settings problems: the environment or the `.env` file here."""
    dotenv = Path.cwd() / ".env"
    if dotenv.is_file():
        return f"set them in the environment or in {dotenv}"
    return f"set them in the environment or in a .env file in {Path.cwd()} (there is none yet)"
