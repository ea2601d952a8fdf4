"""Translations: gettext `.po` catalogs (en, de) read with Babel, keyed by stable message ids.

Each language is a folder (`i18n/en/`) with one catalog per pillar (`core.po` for the Daily
and what all pillars share, `weekly.po`, `radar.po`); they are merged when read.

Keyed ids (``daily.prompt.title``) rather than English source strings keep wording changes
out of the code; `.po` keeps the files in the format translators' tools edit. Reading the
`.po` directly with Babel avoids a compile step for `.mo` files in every install.

A message that carries a count has plural forms (``msgid_plural``, ``msgstr[0]``, …); its
form is chosen by gettext's `ngettext` with the language's plural rule (the catalog's
`Plural-Forms` header, else Babel's CLDR rule): Babel compiles the merged catalogs to a `.mo`
in memory, which `gettext.GNUTranslations` reads — the standard machinery, no hand-made
"s if count != 1".
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SUPPORTED_LANGUAGES = ("en", "de")
CATALOG_DIR = Path(__file__).parent


def catalog_files(language: str) -> list[Path]:
    return sorted((CATALOG_DIR / language).glob("*.po"))


def _read_catalogs(language: str) -> list[Catalog]:
    catalogs = []
    for path in catalog_files(language):
        with path.open("rb") as po_file:
            catalogs.append(read_po(po_file, locale=language))
    return catalogs


@cache
def _catalog(language: str) -> dict[str, str]:
    """The messages without plural forms, by key."""
    messages: dict[str, str] = {}
    for catalog in _read_catalogs(language):
        messages.update({str(m.id): str(m.string) for m in catalog if m.id and not m.pluralizable})
    return messages


@cache
def _plural_keys(language: str) -> frozenset[str]:
    return frozenset(
        str(m.id[0]) for catalog in _read_catalogs(language) for m in catalog if m.pluralizable
    )


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """The language's catalogs merged and compiled for gettext; English behind every other."""
    merged = Catalog(locale=language)
    for catalog in _read_catalogs(language):
        for message in catalog:
            if message.id and message.pluralizable:
                merged[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, merged)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    if language != "en":
        translations.add_fallback(_translations("en"))
    return translations


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


def translate_count(language: str, key: str, count: int, **values: object) -> str:
    """The message for ``key`` in the plural form ``count`` takes (``{count}`` is filled in).

    The plural entry's msgid is the key and its msgid_plural the key + ``.plural``.
    """
    text = _translations(language).ngettext(key, f"{key}.plural", count)
    return text.format(count=count, **values)


def message_keys(language: str) -> set[str]:
    return set(_catalog(language)) | _plural_keys(language)
