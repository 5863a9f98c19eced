"""Wording a user stumbled over (issue 14): the small-count note says which counts are hidden as the
threshold (EET_SMALL_COUNT) decides; a count of one reads right in English; the forecast names its
basis beside the date it describes; the pack made on the command line says for whom it was made."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.figures import privacy
from eet.review import comparison
from eet.review.pack import pack_bytes
from eet.review.tables import all_tables
from eet.texts import formatting as fmt
from eet.texts import t

MEETING, COMPARE = date(2021, 5, 27), date(2021, 1, 15)


@pytest.mark.parametrize("small", [5, 3])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_small_count_note_follows_the_threshold(monkeypatch, small, lang):
    monkeypatch.setenv("EET_SMALL_COUNT", str(small))
    assert privacy.threshold() == small
    shown = {n: str(privacy.suppress(n)) for n in range(0, small + 1)}
    note = t("small_counts_note", lang, n=privacy.threshold())
    # Exactly the counts the note names as hidden are shown as <n.
    hidden = {n for n, text in shown.items() if text.startswith("<")}
    assert hidden == set(range(1, small))
    assert f"<{small}" in note and f"1 tot {small}" not in note and f"1 to {small}" not in note
    assert ("kleiner dan" if lang == "nl" else "below") + f" {small}" in note


def test_one_negative_exit_is_not_plural_in_english():
    assert not re.search(r"\b1 negative exits\b", t("km_caption", "en", events=1, censored=1))
    assert not re.search(r"\b1 \w+s\b", t("km_caption", "en", events=1, censored=1))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_forecast_names_its_basis_beside_the_date_it_describes(demo_engine, lang):
    with Session(demo_engine) as s:
        review = comparison.build_review(s, SYSTEM, MEETING, COMPARE, "comparison")
        html = pack_bytes(s, SYSTEM, ".html", MEETING, COMPARE, lang=lang).decode()
    note = next(table for table in all_tables(review, lang) if table.key == "forecast").note
    since, as_of = review.forecasts[0].since, review.forecasts[0].as_of
    basis = t("basis_comparison", lang)
    assert since == COMPARE
    assert f"{fmt.long_date(since, lang)} ({basis})" in note
    assert f"{fmt.long_date(as_of, lang)} ({basis})" not in note
    assert f"{fmt.long_date(since, lang)} ({basis})" in html  # the pack says the same


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pack_from_the_command_line_says_for_whom_it_is(demo_engine, lang):
    with Session(demo_engine) as s:
        html = pack_bytes(s, SYSTEM, ".html", MEETING, COMPARE, lang=lang).decode()
    assert "voor uw rol" not in html and "your role" not in html
    assert t("pack_small_counts", lang, n=privacy.threshold()).replace("<", "&lt;") in html
