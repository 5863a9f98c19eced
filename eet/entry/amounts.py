"""Amounts as people write them in a list (issue 24): `12.500`, `12.500,00`, `€ 9.000,-`, `35000,50`,
`1,5 mln`, `12500.00`, `12,500.00`, `12 500`.

A text is read with Babel (CLDR's Dutch and English number formats, strict: a thousands separator
must stand before groups of three digits). Read both ways, it gives one value (`12.500,00`: only
Dutch; `12500.00`: only English; `35000,50`: only Dutch), two values, or none:
- one value: taken;
- two values (`12.500`, `12,500`: one separator before exactly three digits): the separator is
  read as thousands when it is the thousands separator of the language of the column's name
  (`12.500` under `bedrag`, `12,500` under `amount_eur`), as that reader reads it; otherwise
  (`12.500` under `amount_eur`, `12,500` under `bedrag`: cents with three decimals, or a writer of
  the other language) it is refused, showing the value and both readings;
- none: refused, showing the value and how to write it.
A number cell of a workbook (`eet.entry.workbook.Number`) is its number: it was never text.

Money only: no unit beyond euro (`€`, `EUR`, `euro`), the multipliers `mln`/`miljoen`/`million`;
`,-` (whole euros) is Dutch; digits, separators and a sign only (no `1E5`, `NaN`).
Raises `Refusal` ("amount_two_ways", "not_an_amount"); returns a float in euro.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

from eet.entry.workbook import Number
from eet.texts.messages import Refusal

LANGUAGES = ("nl", "en")
# What stands around the number: a currency before or after it, Dutch Excel's ",-" for whole euros,
# a multiplier after it.
_CURRENCY = re.compile(r"^(?:€|eur(?:o)?\b)\s*|\s*(?:€|eur(?:o)?)$", re.IGNORECASE)
_WHOLE_EUROS = re.compile(r"[.,]\s*[-–—]{1,2}$")
_MILLION = re.compile(r"\s*(?:mln\.?|miljoen|million|mio\.?)$", re.IGNORECASE)
# Groups of three digits split by a space (a French, or a typeset, thousands separator).
_SPACED = re.compile(r"^[-+]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
_DIGITS = re.compile(r"^[-+]?[\d.,]*\d[\d.,]*$")  # nothing else: no 1E5, NaN or Infinity
_DUTCH_WHOLE = re.compile(r",\s*[-–—]{1,2}$")  # "9.000,-" is written by a Dutch hand only


@dataclass(frozen=True)
class PlainNumber:
    """A number as a message shows it: no thousands separator, the language's decimal sign."""

    value: Decimal

    def render(self, lang: str) -> str:
        text = format(self.value.normalize(), "f")
        return text.replace(".", ",") if lang == "nl" else text


def parse_amount(value: object, language: str = "en") -> float:
    """The euro amount in `value` (a cell's text, a `Number`, an int or float). `language`: the
    language of the column's name ("nl" or "en"), which decides a value that reads two ways."""
    if isinstance(value, Number):
        return value.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    shown = " ".join(str(value).split())
    readings = _readings(shown)
    language = "nl" if _DUTCH_WHOLE.search(shown) else language
    if len(set(readings.values())) == 1:
        return float(next(iter(readings.values())))
    if len(readings) == 2:
        big, small = sorted(readings.values(), reverse=True)
        if readings.get(language) == big:
            return float(big)
        raise Refusal("amount_two_ways", value=shown, big=PlainNumber(big), small=PlainNumber(small))
    raise Refusal("not_an_amount", value=shown)


def _readings(text: str) -> dict[str, Decimal]:
    """The value `text` has for a Dutch and for an English reader (absent where one cannot read it)."""
    factor = 1
    text = _CURRENCY.sub("", text.strip()).strip()
    text = _WHOLE_EUROS.sub("", text).strip()
    if _MILLION.search(text):
        factor, text = 1_000_000, _MILLION.sub("", text).strip()
    text = _CURRENCY.sub("", text).strip()  # "€ 1,5 mln" and "1,5 mln euro"
    if _SPACED.match(text):
        text = text.replace(" ", "")
    if not _DIGITS.match(text):
        return {}
    readings = {}
    for language in LANGUAGES:
        try:
            readings[language] = parse_decimal(text, locale=language, strict=True) * factor
        except NumberFormatError:
            continue
    return readings
