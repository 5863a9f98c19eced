"""The one text catalogue (`catalogue.toml` beside this file): every text of the interface, the
refusals of the data layer included, in Dutch (the default, EET_LANG) and English.

`t(key, lang, **values)` fills `{placeholders}`. Code values are named through families of keys:
`label(kind, code)` for tables and charts, `code_label(kind, code)` for the entry and audit pages,
`event_label(kind)`, `sheet(name)` for the pack's sheets. An unknown key is a programming error, so
`t` raises KeyError; a code without a name is shown as it is.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from eet.store.config import get_settings

LANGUAGES = ("nl", "en")
CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """key -> {"nl": text, "en": text}, read once per process."""
    with CATALOGUE_FILE.open("rb") as file:
        return tomllib.load(file)


def default_lang() -> str:
    return get_settings().lang


def pick(lang: str | None) -> str:
    """A supported language: the one asked for, else the configured default."""
    return lang if lang in LANGUAGES else default_lang()


def has(key: str) -> bool:
    return key in catalogue()


def template(key: str, lang: str) -> str:
    """The raw text of `key` in `lang` ('nl', else English), placeholders unfilled."""
    return catalogue()[key]["nl" if lang == "nl" else "en"]


def t(key: str, lang: str, **values) -> str:
    text = template(key, lang)
    return text.format(**values) if values else text


def _named(key: str, code: str, lang: str) -> str:
    entry = catalogue().get(key)
    return entry["nl" if lang == "nl" else "en"] if entry else code


def label(kind: str, value: str | None, lang: str) -> str:
    """A code value (a status, a funnel step, a building type ...) in words; None is 'not recorded'."""
    if value is None:
        return t("not_recorded", lang)
    return _named(f"label.{kind}.{value}", value, lang)


def code_label(kind: str, code: str | None, lang: str) -> str:
    """A code value of the entry and audit pages in words; None is 'none'."""
    if code is None:
        return t("none", lang)
    return _named(f"code.{kind}.{code}", code, lang)


def event_label(kind: str, lang: str) -> str:
    return _named(f"event.{kind}", kind, lang)


def sheet(name: str, lang: str) -> str:
    """The name of a sheet of the meeting pack's workbook."""
    return t(f"sheet.{name}", lang)
