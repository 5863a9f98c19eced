"""The texts of the interface: numbers and dates as the language writes them (Babel, CLDR), and the one
catalogue (every key in both languages, every key used, every key used exists)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from eet.texts import formatting as fmt

NBSP = "\u00a0"


@pytest.mark.parametrize("lang, expected", [
    ("nl", ["1.234", "1.234,6", "98,2%", f"€{NBSP}12.500", "15 januari 2021", "15-01-2021", "maart 2021"]),
    ("en", ["1,234", "1,234.6", "98.2%", "€12,500", "15 January 2021", "2021-01-15", "March 2021"]),
])
def test_numbers_and_dates_as_the_language_writes_them(lang, expected):
    assert [fmt.number(1234, lang), fmt.number(1234.56, lang, 1), fmt.percent(0.982, lang),
            fmt.euro(12500, lang), fmt.long_date(date(2021, 1, 15), lang),
            fmt.short_date(date(2021, 1, 15), lang), fmt.month_label("2021-03", lang)] == expected


def test_formatting_edges():
    assert fmt.number(None, "nl") == fmt.percent(None, "nl") == fmt.euro(None, "nl") == fmt.MISSING
    assert fmt.long_date(None, "en") == fmt.short_date(None, "en") == fmt.MISSING
    assert fmt.number("<5", "nl") == "<5"                       # a suppressed count passes through
    assert fmt.number(np.int64(1234567), "nl") == "1.234.567"    # numpy scalars from pandas
    assert fmt.percent(np.float64(0.5), "en", 0) == "50%"
    assert fmt.euro(31500.5, "nl") == f"€{NBSP}31.500"           # whole euros
    assert [fmt.signed(12, "nl"), fmt.signed(-1234, "nl"), fmt.signed(0, "nl")] == ["+12", "−1.234", "0"]
    assert [fmt.long_date(date(2021, m, 1), "nl").split()[1] for m in (3, 5, 10)] == ["maart", "mei", "oktober"]
