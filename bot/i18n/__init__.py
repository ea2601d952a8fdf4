"""Translations: gettext `.po` catalogs (en, de) read with Babel, keyed by stable message ids.

Each language is a folder (`i18n/en/`) with one catalog per pillar (`core.po` for the Daily
and what all pillars share, `weekly.po`, `radar.po`); they are merged when read.

Keyed ids (``daily.prompt.title``) rather than English source strings keep wording changes
out of the code; `.po` keeps the files in the format translators' tools edit. Reading the
`.po` directly with Babel avoids a compile step for `.mo` files in every install.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

SUPPORTED_LANGUAGES = ("en", "de")
CATALOG_DIR = Path(__file__).parent


def catalog_files(language: str) -> list[Path]:
    return sorted((CATALOG_DIR / language).glob("*.po"))


@cache
def _catalog(language: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in catalog_files(language):
        with path.open("rb") as po_file:
            catalog = read_po(po_file)
        messages.update({str(m.id): str(m.string) for m in catalog if m.id})
    return messages


def language_for_locale(locale: str | None, fallback: str) -> str:
    """Slack locales look like ``de-DE``; everything German gets German."""
    if locale and locale.lower().startswith("de"):
        return "de"
    if locale and locale.lower().startswith("en"):
        return "en"
    return fallback if fallback in SUPPORTED_LANGUAGES else "en"


def translate(language: str, key: str, **values: object) -> str:
    """The message for ``key``; English when the language lacks it, the key when both do."""
    text = _catalog(language).get(key) or _catalog("en").get(key) or key
    return text.format(**values) if values else text


def message_keys(language: str) -> set[str]:
    return set(_catalog(language))
