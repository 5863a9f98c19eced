"""Before our own product-limit code goes (issue 29): lifelines' Kaplan–Meier curve agrees with it
on random histories (hypothesis), on the hand-worked one and on the demo at every month end."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from eet.figures import participants, uncertainty
from eet.figures.timeline import timeline_of


def _same(rows):
    ours = participants._kaplan_meier_product(rows)
    theirs = uncertainty.kaplan_meier(rows)
    assert theirs.days == ours.days
    assert theirs.survival == pytest.approx(ours.survival, abs=1e-12)
    assert theirs.at_risk == ours.at_risk
    assert (theirs.events, theirs.censored) == (ours.events, ours.censored)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 800), st.integers(0, 1), st.integers(1, 6)), max_size=60))
def test_lifelines_agrees_with_our_product_limit_on_random_histories(rows):
    merged: dict = {}
    for day, event, n in rows:
        merged[(day, event)] = merged.get((day, event), 0) + n
    _same(sorted((d, e, n) for (d, e), n in merged.items()))


def test_lifelines_agrees_on_the_hand_worked_history():
    _same([(50, 0, 1), (100, 1, 1), (200, 1, 1), (300, 0, 1)])


def test_lifelines_agrees_on_the_demo_at_every_month_end(demo_engine):
    with Session(demo_engine) as session:
        timeline = timeline_of(session)
        for year, month in [(y, m) for y in (2020, 2021, 2022) for m in range(1, 13)]:
            as_of = date(year + (month == 12), month % 12 + 1, 1)
            _, duration, is_event = participants.survival_times(timeline, as_of)
            _same(participants.survival_rows(duration, is_event))
