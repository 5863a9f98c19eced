"""Numbers, percentages, money and dates as people read them, through Babel (CLDR data): Dutch, nl_NL
(1.234 / 98,2% / € 12.500 / 15 januari 2021 / 15-01-2021) or English, en_GB (1,234 / 98.2% / €12,500
/ 15 January 2021 / 2021-01-15). Used by the pages, the charts and the meeting pack.

English is British English: the readers are Dutch partners, who write the day before the month, as
en_GB does ("15 January 2021"; en_US would write "January 15, 2021"). The short English date is ISO
8601 (2021-01-15), a form no reader can take for another day. Rounding is CLDR's (half to even).
"""

from __future__ import annotations

import re

from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
SHORT_DATE = {"nl": "dd-MM-yyyy", "en": "yyyy-MM-dd"}
MISSING = "–"


def locale(lang: str) -> Locale:
    """The CLDR locale of a language of the interface ('nl', else English)."""
    return _locale(LOCALES.get(lang, LOCALES["en"]))


@lru_cache(maxsize=None)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def _digits_pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


@lru_cache(maxsize=None)
def _whole_euro_pattern(name: str) -> str:
    """The locale's own currency pattern (where the € stands, with what space) without cents."""
    pattern = _locale(name).currency_formats["standard"].pattern
    return pattern.replace(".00", "")


def _plain_number(value):
    """numpy and pandas scalars as Python numbers, which Babel formats exactly."""
    return value.item() if hasattr(value, "item") else value


def number(value: float | int | str | None, lang: str, digits: int = 0) -> str:
    """A count or measure with `digits` decimals; a suppressed count (a string such as '<5') passes
    through, None is shown as a dash."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    return format_decimal(_plain_number(value), format=_digits_pattern(digits), locale=locale(lang))


# Decimals of a measure: a median or percentile of days, a pace per month, participant-years.
MEASURE_DIGITS = 1


def figure(value: float | int | str | None, lang: str, change: bool = False) -> str:
    """A figure as every page, table and pack shows it: a count (an int) whole, a measure (a float)
    with MEASURE_DIGITS decimals whatever its value, so that a median reads 156,0 days on the
    participants page and in the review's table alike (the table wrote 156 beside 145,5 and the
    page 156,0); with `change`, signed (+10,5, −3). A suppressed text passes, None is a dash."""
    value = _plain_number(value)
    if value is None or isinstance(value, str):
        return number(value, lang)
    digits = MEASURE_DIGITS if isinstance(value, float) else 0
    return signed(value, lang, digits) if change else number(value, lang, digits)


def percent(fraction: float | None, lang: str, digits: int = 1) -> str:
    """A share (0.982) as a percentage with `digits` decimals (98,2% / 98.2%)."""
    if fraction is None:
        return MISSING
    return format_percent(_plain_number(fraction), format=_digits_pattern(digits) + "%",
                          locale=locale(lang))


def euro(amount: float | None, lang: str) -> str:
    """An amount in whole euros, the symbol placed as the language does (€ 12.500 / €12,500; the
    Dutch space is CLDR's non-breaking one, so that the symbol never stands alone on a line)."""
    if amount is None:
        return MISSING
    loc = locale(lang)
    text = format_currency(_plain_number(amount), "EUR", format=_whole_euro_pattern(str(loc)),
                           locale=loc, currency_digits=False)
    return text.replace("-", "\u2212")  # the minus sign of every other change (−24), not a hyphen


def long_date(day: date | None, lang: str) -> str:
    """15 januari 2021 / 15 January 2021."""
    if day is None:
        return MISSING
    return format_date(day, "d MMMM y", locale=locale(lang))


def short_date(day: date | None, lang: str) -> str:
    """15-01-2021 (Dutch) / 2021-01-15 (English, ISO 8601)."""
    if day is None:
        return MISSING
    return format_date(day, SHORT_DATE["nl" if lang == "nl" else "en"], locale=locale(lang))


def month_label(year_month: str, lang: str) -> str:
    """'2021-03' as 'maart 2021' / 'March 2021'."""
    year, month = year_month.split("-")
    return format_date(date(int(year), int(month), 1), "LLLL y", locale=locale(lang))


def signed(value: int | float, lang: str, digits: int = 0) -> str:
    """A change: +12, −3, 0."""
    if value > 0:
        return "+" + number(value, lang, digits)
    if value < 0:
        return "−" + number(-value, lang, digits)
    return "0"


MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:"
# Streamlit's Markdown (remark-gfm) turns a web address (http://…, www.…) and an e-mail address into a
# link after parsing, whatever was escaped (issue 25: a link to another site from the address bar). A
# WORD JOINER (U+2060, invisible, no line break) after "://"'s colon, after "www" and after "@" keeps
# the text as typed on screen and breaks the pattern.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def plain(text: str | None) -> str:
    """Free text entered by a user, escaped so that Markdown shows it as typed: no emphasis, no
    link, no image, no HTML, and no address made into a link (see WORD_JOINER)."""
    if not text:
        return ""
    text = _AUTOLINK.sub(WORD_JOINER, text)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
