"""Labels that come from the data (organisation names, sites, decisions) are shown by Plotly as
typed: a name with markup never becomes a live link, on a page or in the meeting pack (issue 18)."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
from sqlmodel import select

from eet.accounts import administration
from eet.accounts.access import SYSTEM
from eet.charts import base as charts
from eet.charts import review as review_charts
from eet.charts import viewer as viewer_charts
from eet.entry import services
from eet.entry.schemas import DwellingIn
from eet.review.pack import pack_bytes
from eet.store.engine import session_scope
from eet.store.models import Organisation

HOSTILE = '<a href="https://evil.example/">Zeist & co</a>'


def _strings(fig: go.Figure) -> list[str]:
    """Every string of every trace, as Plotly receives it."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(json.loads(fig.to_json())["data"])
    return found


def _row(counter=3):
    return {"ambition": counter + 1, "counter": counter, "pipeline": 1, "searching": 1, "location_found": 1,
            "available": 1, "occupied": counter - 2, "withdrawn": 0}


def test_the_helper_escapes_what_plotly_reads_as_markup():
    assert charts.plotly_text(HOSTILE) == '&lt;a href="https://evil.example/"&gt;Zeist &amp; co&lt;/a&gt;'
    assert charts.plotly_text(5) == 5


def test_every_chart_with_names_from_the_data_escapes_them():
    figures = [
        charts.municipality_stacked({HOSTILE: _row(), "Utrecht": _row(5)}, "nl"),
        viewer_charts.municipality_stacked({HOSTILE: {**_row(), "occupied": "<5"}, "Utrecht": _row(5)}, "en"),
        charts.breakdown_bars([(HOSTILE, 7, 3), ("Utrecht", 2, 1)], "nl"),
    ]
    for fig in figures:
        strings = _strings(fig)
        assert not any("<a" in s for s in strings), strings
        assert any("&lt;a href=" in s for s in strings)
    # the viewer's merged segment still finds its rows by the data's own names
    merged = figures[1].data[-1]
    assert list(merged.y) == [charts.plotly_text(HOSTILE), "Utrecht"]
    assert list(merged.x) == [2, 0]


def test_the_pack_and_the_review_charts_show_a_hostile_name_as_text(engine):
    with session_scope(engine) as s:  # the admin renames a partner, as on Beheer
        org = s.exec(select(Organisation).where(Organisation.name == "Zeist")).one()
        administration.save_organisation(s, SYSTEM, {"name": HOSTILE, "kind": org.kind, "joined_on": org.joined_on},
                                         organisation_id=org.id)
    with session_scope(engine) as s:
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="ZST-0001", municipality=HOSTILE,
                                                       status="available", status_date=date(2021, 2, 1)))
    with session_scope(engine) as s:
        from eet.review.comparison import build_review

        review = build_review(s, SYSTEM, date(2021, 5, 1))
        fig = review_charts.municipality_chart(review, "nl")
        assert any("&lt;a href=" in x for x in _strings(fig))
        assert not any("<a" in x for x in _strings(fig))
        html = pack_bytes(s, SYSTEM, ".html", date(2021, 5, 1)).decode("utf-8")
    assert '<a href="https://evil.example/">' not in html
    assert "&lt;a href=" in html
