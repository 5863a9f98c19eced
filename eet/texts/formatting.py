"""Numbers, percentages, money and dates as people read them: Dutch (1.234 / 12,5% / 15 januari 2021)
or English (1,234 / 12.5% / 15 January 2021). Used by the pages, the charts and the meeting pack."""

from __future__ import annotations

from datetime import date

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
MISSING = "–"


def _swap_separators(text: str, lang: str) -> str:
    """Python writes 1,234.5; Dutch writes 1.234,5."""
    if lang != "nl":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def number(value: float | int | str | None, lang: str, digits: int = 0) -> str:
    """A count or measure; a suppressed count (a string such as '<5') passes through."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    return _swap_separators(f"{value:,.{digits}f}", lang)


def percent(fraction: float | None, lang: str, digits: int = 1) -> str:
    if fraction is None:
        return MISSING
    return number(fraction * 100, lang, digits) + "%"


def euro(amount: float | None, lang: str) -> str:
    if amount is None:
        return MISSING
    return ("€ " if lang == "nl" else "€") + number(amount, lang, 0)


def long_date(day: date | None, lang: str) -> str:
    if day is None:
        return MISSING
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def short_date(day: date | None, lang: str) -> str:
    if day is None:
        return MISSING
    return day.strftime("%d-%m-%Y") if lang == "nl" else day.isoformat()


def month_label(year_month: str, lang: str) -> str:
    """'2021-03' as 'maart 2021' / 'March 2021'."""
    year, month = year_month.split("-")
    return f"{MONTHS[lang][int(month) - 1]} {year}"


def signed(value: int | float, lang: str, digits: int = 0) -> str:
    """A change: +12, −3, 0."""
    if value > 0:
        return "+" + number(value, lang, digits)
    if value < 0:
        return "−" + number(-value, lang, digits)
    return "0"


MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:"


def plain(text: str | None) -> str:
    """Free text entered by a user, escaped so that Markdown shows it as typed (no links, no HTML)."""
    if not text:
        return ""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
