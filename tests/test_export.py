"""The meeting pack: opens offline in a real browser with every chart drawn, prints on A4, its
spreadsheet holds the numbers of the JSON report, viewers get small counts suppressed, and user
text is escaped."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from eet.review import decisions, uncertainty_pack

from eet.charts import review as review_charts
from eet.accounts.access import SYSTEM, Actor
from eet.store.config import PROJECT_ROOT
from eet.review.pack import ExportError, write_pack
from eet.figures.report import build_report
from eet.review.comparison import build_review
from eet.texts import sheet, t
from pack_codes import code_of

AS_OF, SINCE = date(2021, 5, 31), date(2021, 1, 15)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = PROJECT_ROOT / "screenshots"


@pytest.fixture()
def demo_session(demo_engine):
    with Session(demo_engine) as session:
        yield session


def _pack(session, tmp_path, suffix, actor=SYSTEM, lang="nl", exact=False) -> Path:
    path = tmp_path / f"pack{suffix}"
    write_pack(session, actor, path, AS_OF, SINCE, lang=lang, exact=exact)
    return path


# --- the html in a browser -----------------------------------------------------------------------

@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_html_pack_opens_offline_with_every_chart_drawn_and_prints_on_a4(demo_engine, tmp_path):
    from playwright.sync_api import sync_playwright

    if demo_engine.dialect.name != "sqlite":
        pytest.skip("one browser run is enough; the figures are compared across backends elsewhere")
    with Session(demo_engine) as session:
        path = _pack(session, tmp_path, ".html")
        review_count = len(review_charts.all_charts(build_review(session, SYSTEM, AS_OF, SINCE), "nl"))
        # Issue 29: a chart per grouping a viewer may see, beside the review's six.
        group_count = len(uncertainty_pack.charts(uncertainty_pack.uncertainty_figures(session, AS_OF, True), "nl"))
        expected_charts = review_count + group_count
    requests_refused: list[str] = []

    def refuse_network(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            requests_refused.append(route.request.url)
            route.abort()

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 820, "height": 1100})
        page.route("**/*", refuse_network)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= {expected_charts}",
            timeout=20000)
        drawn = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot'))"
                              ".filter(el => el.querySelector('svg.main-svg')).length")
        assert drawn == expected_charts and review_count == 6 and group_count >= 1
        assert page.evaluate("typeof Plotly") == "object"  # embedded, not fetched
        assert not errors
        assert requests_refused == []  # the pack asked for nothing outside the file
        text = page.inner_text("main")
        assert "Vergaderstuk tussentijdse evaluatie" in text and "Extra zoekinspanning" in text
        page.screenshot(path=str(SCREENSHOTS / "pack.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        browser.close()
    assert pdf.startswith(b"%PDF")
    (SCREENSHOTS / "pack.pdf").write_bytes(pdf)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 4 <= pages <= 18, f"{pages} A4 pages"  # issue 29 added the outcomes and the business case by group


# --- the xlsx against the JSON report ------------------------------------------------------------

def _sheet_rows(book, key: str) -> dict[str, tuple]:
    """code -> (then, now, change) of a headline sheet, its rows read by their labels (the pack has
    no code column: issue 14)."""
    ws = book[sheet(key, "nl")]
    header = [c.value for c in ws[1]]
    assert "code" not in header, header
    return {code_of(key, row[0]): row[1:4] for row in ws.iter_rows(min_row=2, values_only=True)
            if row and code_of(key, row[0])}


def _at(report: dict, code: str):
    value = report
    for key in code.split("."):
        value = value[key]
    return value


def test_xlsx_numbers_equal_the_json_report_sheet_by_sheet(demo_session, tmp_path):
    path = _pack(demo_session, tmp_path, ".xlsx", exact=True)
    book = load_workbook(path)
    then, now = build_report(demo_session, SINCE), build_report(demo_session, AS_OF)
    assert all(len(name) <= 31 for name in book.sheetnames)
    expected_sheets = {"dwellings": 3, "status": 5, "coalition": 3, "funnel": 7, "lead_time": 3, "retention": 2}
    for key, count in expected_sheets.items():
        rows = _sheet_rows(book, key)
        assert len(rows) == count, key
        for code, (a, b, change) in rows.items():
            assert a == _at(then, code), (key, code)
            assert b == _at(now, code), (key, code)
            if a is not None and b is not None:
                assert change == pytest.approx(b - a), (key, code)
    assert _sheet_rows(book, "dwellings")["dwellings.counter"][1] == now["dwellings"]["counter"] > 0

    municipalities = {row[0]: row for row in book[sheet("municipality", "nl")].iter_rows(min_row=2, values_only=True)
                      if row and row[0] in now["dwellings"]["by_municipality"]}
    assert set(municipalities) == set(now["dwellings"]["by_municipality"])
    for name, row in municipalities.items():
        before = then["dwellings"]["by_municipality"].get(name, {"counter": 0, "pipeline": 0, "occupied": 0})
        after = now["dwellings"]["by_municipality"][name]
        assert row[1:10] == (before["counter"], after["counter"], after["counter"] - before["counter"],
                             before["pipeline"], after["pipeline"], after["pipeline"] - before["pipeline"],
                             before["occupied"], after["occupied"], after["occupied"] - before["occupied"])

    forecast = list(book[sheet("forecast", "nl")].iter_rows(min_row=2, max_row=3, values_only=True))
    assert forecast[0][1:3] == (then["dwellings"]["counter"], now["dwellings"]["counter"])
    assert forecast[1][1:3] == (then["participants"]["funnel"]["housed"], now["participants"]["funnel"]["housed"])
    decisions_sheet = [r for r in book[sheet("decisions", "nl")].iter_rows(min_row=2, values_only=True) if r and r[3]]
    assert {r[3] for r in decisions_sheet} >= {"Extra zoekinspanning voor 20 woningen in Zeist en Houten"}


def test_viewer_pack_shows_small_counts_as_below_threshold(demo_session, tmp_path):
    path = _pack(demo_session, tmp_path, ".xlsx", actor=Actor("steering", "viewer"))
    book = load_workbook(path)
    then = build_report(demo_session, SINCE)
    funnel = _sheet_rows(book, "funnel")
    raw = then["participants"]["funnel"]["withdrawn"]
    assert 0 < raw < 5  # the demo has a handful withdrawn at the launch
    assert funnel["participants.funnel.withdrawn"][0] == "<5"
    assert funnel["participants.funnel.withdrawn"][2] is None  # a change next to a hidden count would reveal it
    cohort = _sheet_rows(book, "retention")["participants.retention_12m.cohort"]
    assert cohort[0] in ("<5", 0)
    html_text = _pack(demo_session, tmp_path, ".html", actor=Actor("steering", "viewer")).read_text()
    assert "&lt;5" in html_text


def test_user_text_is_escaped_in_the_html(engine, tmp_path):
    with Session(engine) as session:
        meeting = decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "<b>Mei</b>"})
        decisions.add_decision(session, SYSTEM, {"meeting_id": meeting.id, "topic": "other",
                                                 "decision": "<script>alert('x')</script> & meer",
                                                 "owner": "<img src=x onerror=alert(1)>"})
        session.commit()
        path = tmp_path / "pack.html"
        write_pack(session, SYSTEM, path, AS_OF, SINCE)
    text = path.read_text()
    assert "<script>alert('x')</script>" not in text and "<img src=x" not in text and "<b>Mei</b>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; meer" in text
    assert "&lt;b&gt;Mei&lt;/b&gt;" in text


def test_unknown_suffix_is_refused_before_anything_is_written(demo_session, tmp_path):
    with pytest.raises(ExportError, match=r"\.html or \.xlsx"):
        write_pack(demo_session, SYSTEM, tmp_path / "pack.pdf", AS_OF, SINCE)
    assert not (tmp_path / "pack.pdf").exists()


# --- the command line ----------------------------------------------------------------------------

def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EET_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "eet", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120)


def test_cli_export_suppresses_by_default_and_exact_only_when_asked(demo_engine, tmp_path):
    if demo_engine.dialect.name != "sqlite":
        pytest.skip("the command line is the same on both backends")
    url = demo_engine.url.render_as_string(hide_password=False)
    out = _cli(url, "export", "--as-of", "2021-05-31", "--compare", "2021-01-15", "--out", str(tmp_path / "p.xlsx"))
    assert out.returncode == 0, out.stderr
    assert "p.xlsx" in out.stdout and "suppressed" in out.stdout
    book = load_workbook(tmp_path / "p.xlsx")
    assert _sheet_rows(book, "funnel")["participants.funnel.withdrawn"][0] == "<5"
    assert "Exacte aantallen" not in str([c.value for c in book.worksheets[0]["A"]])
    out = _cli(url, "export", "--as-of", "2021-05-31", "--compare", "2021-01-15", "--out", str(tmp_path / "e.xlsx"),
               "--exact")
    assert out.returncode == 0, out.stderr
    book = load_workbook(tmp_path / "e.xlsx")
    full = _sheet_rows(book, "funnel")["participants.funnel.withdrawn"]
    assert isinstance(full[0], int) and 0 < full[0] < 5
    assert book.worksheets[0]["A2"].value == "Exacte aantallen — niet voor verspreiding."
    out = _cli(url, "export", "--as-of", "2021-05-31", "--compare", "2021-01-15", "--out", str(tmp_path / "v.xlsx"),
               "--viewer")  # kept for scripts: what the default does
    assert out.returncode == 0, out.stderr
    assert _sheet_rows(load_workbook(tmp_path / "v.xlsx"), "funnel")["participants.funnel.withdrawn"][0] == "<5"
    out = _cli(url, "export", "--as-of", "2021-05-31", "--out", str(tmp_path / "exact.html"), "--exact", "--lang", "en")
    assert out.returncode == 0 and "Exact counts — not for distribution." in (tmp_path / "exact.html").read_text()
    out = _cli(url, "export", "--as-of", "2021-05-31", "--out", str(tmp_path / "p.html"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "p.html").read_text().count("plotly.js (basic - minified) v") == 1  # once, the basic bundle
    out = _cli(url, "export", "--as-of", "2021-05-31", "--compare", "2021-06-30", "--out", str(tmp_path / "x.html"))
    assert out.returncode == 1 and "must lie before" in out.stderr and not (tmp_path / "x.html").exists()
    out = _cli(url, "export", "--as-of", "2021-05-31", "--out", str(tmp_path / "p.docx"))
    assert out.returncode == 1 and ".html or .xlsx" in out.stderr


def test_cli_export_at_or_before_the_launch_has_no_comparison_and_a_future_date_is_refused(demo_engine, tmp_path):
    if demo_engine.dialect.name != "sqlite":
        pytest.skip("the command line is the same on both backends")
    url = demo_engine.url.render_as_string(hide_password=False)
    for day in ("2021-01-15", "2020-12-01"):
        out = _cli(url, "export", "--as-of", day, "--out", str(tmp_path / f"{day}.xlsx"))
        assert out.returncode == 0, out.stderr
        assert "without a comparison" in out.stdout
        funnel = list(load_workbook(tmp_path / f"{day}.xlsx")[sheet("funnel", "nl")].iter_rows(values_only=True))
        assert len(funnel[0]) == 2  # figure and the date: no comparison date, no change
    out = _cli(url, "export", "--as-of", "2021-01-15", "--out", str(tmp_path / "launch.html"))
    assert out.returncode == 0 and "nog niets om mee te vergelijken" in (tmp_path / "launch.html").read_text()
    out = _cli(url, "export", "--as-of", "2030-01-01", "--out", str(tmp_path / "future.html"))
    assert out.returncode == 1 and "future" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "future.html").exists()


def test_exact_pack_only_for_admins_and_researchers(demo_session, tmp_path):
    from eet.accounts.access import AccessDenied

    for role in ("viewer", "coordinator"):
        with pytest.raises(AccessDenied):
            _pack(demo_session, tmp_path, ".xlsx", actor=Actor("x", role), exact=True)
    review = build_review(demo_session, Actor("r", "researcher"), AS_OF, SINCE)
    assert not review.suppressed  # the researcher's page is exact; the pack is not, unless asked
    path = _pack(demo_session, tmp_path, ".xlsx", actor=Actor("r", "researcher"))
    assert _sheet_rows(load_workbook(path), "funnel")["participants.funnel.withdrawn"][0] == "<5"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_xlsx_has_no_code_column_named_sheets_and_formatted_shares(demo_session, tmp_path, lang):
    """Issue 14: no internal "code" column on any sheet, every sheet named with a capital in the
    pack's language, and a share (the recovery target of 0.9) formatted as 90%, not 0.9."""
    book = load_workbook(_pack(demo_session, tmp_path, ".xlsx", lang=lang, exact=True))
    for ws in book:
        header = [c.value for c in ws[1]]
        assert "code" not in header and not any(str(v).startswith("participants.") for row in ws.iter_rows(
            values_only=True) for v in row if v), ws.title
        assert ws.title[0].isupper(), ws.title
    english = {"Recovery", "Recovery by domain", "Business case per payer", "Forecast", "Decisions"}
    dutch = {"Herstel", "Herstel per domein", "Businesscase per betaler", "Prognose", "Besluiten"}
    assert (english if lang == "en" else dutch) <= set(book.sheetnames)
    assert not (dutch if lang == "en" else english) & set(book.sheetnames)
    recovery = book[sheet("recovery", lang)]
    target = next(row[1] for row in recovery.iter_rows() if row[0].value == t("col_target", lang))
    assert target.value == pytest.approx(0.9) and target.number_format == "0%"
    forecast = book[sheet("forecast", lang)]
    assert forecast.cell(row=2, column=4).number_format == "#,##0.0"  # the pace per month: 8,3 in Dutch Excel
    euros = book[sheet("business_case", lang)]
    assert euros.cell(row=2, column=2).number_format.startswith('"€"')
    dates = book[sheet("decisions", lang)]
    assert dates.cell(row=2, column=1).number_format == ("DD-MM-YYYY" if lang == "nl" else "YYYY-MM-DD")


def test_the_exact_pack_is_named_so_that_nobody_sends_it_round():
    """Issue 14: the exact pack (not for distribution) has a file name of its own, in the pack's language."""
    from eet.review.files import file_name

    assert file_name(AS_OF, ".html", "nl") == "vergaderstuk-2021-05-31.html"
    assert file_name(AS_OF, ".xlsx", "nl", exact=True) == "vergaderstuk-2021-05-31-exacte-aantallen.xlsx"
    assert file_name(AS_OF, ".html", "en", exact=True) == "meeting-pack-2021-05-31-exact-counts.html"
    assert file_name(AS_OF, ".xlsx", "en") == "meeting-pack-2021-05-31.xlsx"
