"""Issue 17 on the demo: the research page shows sustainable recovery and the business case per
payer as eet computes them, and the meeting pack carries both (suppressed for a viewer's pack)."""

from __future__ import annotations

import re

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from eet.accounts.access import SYSTEM, Actor
from eet.figures import business_case as bc
from eet.charts.research import payer_bars, tornado
from eet.figures.privacy import threshold
from eet.figures.recovery import recovery_12m, recovery_view
from eet.figures.report import build_report
from eet.review.pack import write_pack
from eet.store.engine import get_engine
from eet.texts import formatting as fmt
from eet.texts import label, sheet, t
from conftest import module_demo_database

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
AS_OF = date(2021, 5, 31)
pytestmark = pytest.mark.usefixtures("entry_script_every_run")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """One demo database for the module's read-only page tests."""
    yield from module_demo_database(tmp_path_factory)


def _open(actor: Actor, lang: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["actor"] = actor
    at.query_params["as_of"] = AS_OF.isoformat()
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/research.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_demo_answers_both_questions(demo_url):
    with Session(get_engine(demo_url)) as s:
        report = build_report(s, AS_OF)
    rec, case = report["participants"]["recovery_12m"], report["business_case"]
    assert rec["cohort"] > 0 and 0 < rec["measured"] < rec["cohort"] and rec["rate"] is not None
    assert case["total"]["difference"] is not None
    assert {"gemeente", "zorgverzekeraar", "woningcorporatie", "rijk"} <= set(case["per_payer"])
    # The payers split the newsletter demo's totals: Housing First 21,500 a year, shelter 32,000.
    assert sum(p["shelter"] for p in case["per_payer"].values()) == pytest.approx(32000)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_research_page_shows_recovery_and_payers(demo_url, lang):
    at = _open(Actor("onderzoeker", "researcher"), lang)
    with Session(get_engine(demo_url)) as s:
        r = recovery_12m(s, AS_OF)
        lines = bc.per_payer(bc.business_case(s, AS_OF))
        spread = bc.sensitivity(bc.business_case(s, AS_OF))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("recovery_rate", lang)] == fmt.percent(r.rate, lang)
    assert metrics[t("recovery_measured", lang)] == f"{r.measured} / {r.cohort}"
    payers = next(df.value for df in at.dataframe if df.value.columns[0] == t("bc_payer", lang))
    assert list(payers[t("bc_payer", lang)]) == [label("payer", x.payer, lang) for x in lines]
    assert list(payers[t("bc_difference_short", lang)]) == [fmt.euro(x.difference, lang) for x in lines]
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert any(label("zrm", "mental_health", lang) in c for c in charts)  # the per-domain chart
    assert any(spread[0].label in c for c in charts)  # the tornado, largest swing first


def test_viewer_sees_the_research_answers_as_aggregates(demo_url):
    at = _open(Actor("stuurgroep", "viewer"), "nl")
    assert any(m.label == t("recovery_rate", "nl") for m in at.metric)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_band_too_wide_is_said_to_be_withheld_and_hidden_domains_say_why(demo_url, lang):
    """The demo's viewer got "0–88%" for sustainable recovery, and no word where the 13 ZRM domains
    were all hidden (issue 14)."""
    viewer = Actor("stuurgroep", "viewer")
    with Session(get_engine(demo_url)) as s:
        rec = recovery_view(s, viewer, AS_OF)
    assert rec.rate.banded and rec.rate.high - rec.rate.low > 0.25 and not rec.domains and rec.hidden_domains
    at = _open(viewer, lang)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("recovery_rate", lang)] == t("rate_withheld", lang)
    assert "0–88" not in " ".join(m.value for m in at.metric)
    # as a person reads them: the Markdown escapes of fx.plain (issue 25) taken off
    captions = re.sub(r"\\(.)", r"\1", " ".join(c.value for c in at.caption)).replace("\u2060", "")
    assert t("rate_withheld_caption", lang, n=threshold()) in captions
    # The verdict is still said, from the interval the band allows (issue 29): it lies on both sides.
    assert t("verdict_undecided", lang, target="90%") in captions
    assert any(t("recovery_hidden_domains", lang, n=13, small=threshold()) == i.value for i in at.info)


def test_payer_amounts_and_tornado_names_fit_a_tablet():
    """At 820 px the payers' amounts ran into each other and the tornado's long names squeezed its
    bars (issue 14): the payers are rows of horizontal bars, a long name wraps."""
    fig = payer_bars([("gemeente", 18142.0, 24000.0), ("zorgverzekeraar", 3000.0, 5000.0)], "nl")
    assert all(trace.orientation == "h" for trace in fig.data)
    assert list(fig.data[0].text) == [fmt.euro(18142, "nl"), fmt.euro(3000, "nl")]
    long = "Opvangplek maatschappelijke opvang (gesimuleerd)"
    fig = tornado([(long, -1500.0, 9000.0), ("Huur", 2800.0, 3900.0)], 3358.0, "nl")
    shown = list(fig.layout.yaxis.ticktext)
    assert shown[0].count("<br>") >= 1 and all(len(line) <= 26 for line in shown[0].split("<br>"))
    assert shown[1] == "Huur" and list(fig.layout.yaxis.tickvals) == [long, "Huur"]


def test_pack_carries_recovery_and_business_case(demo_url, tmp_path):
    with Session(get_engine(demo_url)) as s:
        r = recovery_12m(s, AS_OF)
        lines = bc.per_payer(bc.business_case(s, AS_OF))
        write_pack(s, SYSTEM, tmp_path / "pack.xlsx", AS_OF, date(2021, 1, 15), lang="en", exact=True)
        write_pack(s, SYSTEM, tmp_path / "pack.html", AS_OF, date(2021, 1, 15), lang="en", exact=True)
    book = load_workbook(tmp_path / "pack.xlsx")
    recovery = {row[0]: row[1] for row in book[sheet("recovery", "en")].iter_rows(min_row=2, values_only=True) if row}
    assert recovery[t("recovery_rate", "en")] == pytest.approx(r.rate)
    assert recovery[t("recovery_coverage", "en")] == r.measured
    payers = {row[0]: row[1:4] for row in book[sheet("business_case", "en")].iter_rows(min_row=2, values_only=True)
              if row and row[1] is not None}
    assert payers[label("payer", "total", "en")][2] == round(lines[-1].difference)
    html = (tmp_path / "pack.html").read_text()
    assert t("recovery_title", "en") in html and t("bc_per_payer", "en") in html
