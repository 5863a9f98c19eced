"""A viewer's sweep: every page a viewer reaches, and the viewer's meeting pack, on a small hand-made
history (every count of people 1 to 4) and on the demo at two dates. Every number that counts people
(in a metric, a table, a sentence, or the data of a chart) is 0, at least the threshold, or "<5".

Which numbers count people is named here, not guessed: the funnel's steps, occupied dwellings,
cohorts, changes of those, and the sentences whose parameters are people (their templates from
the catalogue, so a reworded sentence is still checked)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from eet.review import decisions

from eet.entry import services
from eet.accounts.access import SYSTEM, Actor
from eet.bootstrap import initialise
from eet.store.engine import get_engine
from eet.review.pack import write_pack
from pack_codes import code_of
from eet.texts import catalogue, has, label, sheet, t
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, StatusChangeIn
from tests.test_pages import APP, open_page

VIEWER = Actor("stuurgroep", "viewer")
PAGES = ["pages/overview.py", "pages/dwellings.py", "pages/participants.py", "pages/research.py", "pages/review.py"]
STEPS = ("referred", "assessed", "eligible", "matched", "housed", "housed_now", "withdrawn")
LIMIT = 5

# Every page test runs dashboard.py first, as the server does (conftest.entry_script_every_run).
pytestmark = pytest.mark.usefixtures("entry_script_every_run")


def small(value) -> bool:
    """A number 1 to 4 (an int, or a cell's text such as '3' or '+2')."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return 0 < abs(value) < LIMIT and float(value).is_integer()
    text = str(value).strip().replace("+", "").replace("−", "-")
    return bool(re.fullmatch(r"-?\d+", text)) and 0 < abs(int(text)) < LIMIT


def _int(value) -> int | None:
    text = str(value).replace(".", "").strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


def people_labels(lang: str) -> set[str]:
    names = {label("step", s, lang) for s in STEPS} | {label("status", "occupied", lang)}
    names |= {label("change", k, lang) for k in ("occupied", "referred", "housed", "housed_now", "withdrawn")}
    names |= {t("item_n", lang), t("item_cohort", lang), t("count_column", lang)}
    return names


# Sentences whose parameters count people: key -> those parameters.
PEOPLE_SENTENCES = {
    "housed_now_caption": ("now",),
    "waiting_list_caption": ("yes", "known"), "waiting_list_none_known": ("total",),
    "withdrawals_total": ("n",), "lead_time_summary": ("n",),
    "retention_band_caption": ("cohort",), "retention_verdict_caption": ("cohort",),
}


def sentence_patterns() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    out = []
    for key, params in PEOPLE_SENTENCES.items():
        for template in ((catalogue()[key]["nl"], catalogue()[key]["en"]) if has(key) else ()):
            pattern = re.escape(template)
            for name in re.findall(r"\{(\w+)\}", template):
                group = f"(?P<{name}>[^ ]+?)" if name in params else ".*?"
                pattern = pattern.replace(re.escape("{" + name + "}"), group, 1)
            out.append((re.compile(pattern), params))
    return out


def check_text(text: str, where: str, problems: list[str]) -> None:
    for pattern, params in sentence_patterns():
        found = pattern.search(text)
        if found:
            for name in params:
                if small(found.group(name).rstrip(".,;:")):
                    problems.append(f"{where}: {name}={found.group(name)} in {text!r}")


def check_chart(spec: dict, where: str, lang: str, problems: list[str]) -> None:
    """Traces on a participants axis, and the occupied segment: their values and labels."""
    layout = spec.get("layout", {})
    axes = " ".join(json.dumps(layout.get(a, {}).get("title", "")) for a in ("xaxis", "yaxis"))
    people_axis = t("participants_axis", lang) in axes
    for trace in spec.get("data", []):
        occupied = trace.get("name") == label("status", "occupied", lang)
        if trace.get("type") == "pie":
            values = trace.get("text", [])
        elif people_axis or occupied:
            values = [*trace.get("x", []), *trace.get("y", []), *trace.get("text", [])]
            if people_axis and trace.get("type") == "bar":  # categories on the other axis
                values = [v for v in values if not (isinstance(v, str) and not re.search(r"\d", v))]
        else:
            continue
        for value in values:
            if small(value):
                problems.append(f"{where}: chart trace {trace.get('name')!r} shows {value!r}")


def sweep_page(at: AppTest, page: str, lang: str) -> list[str]:
    problems: list[str] = []
    # On the dwellings page only occupied counts people ("Withdrawn" there is a dwelling status).
    names = {label("status", "occupied", lang)} if page.endswith("dwellings.py") else people_labels(lang)
    for m in at.metric:
        if m.label in (t("housed_vs_target", lang), *names):
            if small(str(m.value).split("/")[0]):
                problems.append(f"{page}: metric {m.label} = {m.value}")
        if m.label in (t("housed_vs_target", lang), *names) and small(m.delta):
            problems.append(f"{page}: metric {m.label} change {m.delta}")
    for df in (*at.table, *at.dataframe):  # st.table (the review page since issue 14) and data grids
        frame = df.value
        first = frame.columns[0]
        # Occupied dwellings beside housed (or housed now): their difference counts people too.
        rows = {row[first]: list(row)[1:] for _, row in frame.iterrows()}
        occupied = rows.get(label("change", "occupied", lang)) or rows.get(label("status", "occupied", lang))
        for other in (label("change", "housed", lang), label("step", "housed", lang)):
            for j, (a, b) in enumerate(zip(occupied or [], rows.get(other) or [])):
                if j < 2 and small(_int(b) - _int(a) if _int(a) is not None and _int(b) is not None else None):
                    problems.append(f"{page}: occupied {a} beside housed {b}")
        for _, row in frame.iterrows():
            if row[first] in names:  # a row of people: every cell
                problems += [f"{page}: table row {row[first]} = {v!r}" for v in list(row)[1:] if small(v)]
        for column in frame.columns[1:]:
            # "Bewoond of beschikbaar" (occupied + available) is dwellings, not people: the sum
            # that stands where the two cannot stand apart (eet.figures.disclosure rule 4).
            in_use = t("measure_in_use", lang).lower() in str(column).lower()
            if column in names or not in_use and (label("status", "occupied", lang).lower() in str(column).lower()
                                                  or t("measure_occupied", lang).lower() in str(column).lower()):
                problems += [f"{page}: table column {column} = {v!r}" for v in frame[column] if small(v)]
    for kind in ("markdown", "caption", "info", "success", "warning", "header", "subheader"):
        for element in at.get(kind):
            check_text(str(element.value), f"{page} {kind}", problems)
    for i, chart in enumerate(at.get("plotly_chart")):
        check_chart(json.loads(chart.proto.spec), f"{page} chart {i}", lang, problems)
    return problems


def sweep_review_choices(at: AppTest, lang: str) -> list[str]:
    """The review page shows one breakdown, one measure and one forecast chart at a time: each of
    them chosen in turn and swept."""
    problems: list[str] = []
    if not at.button_group:  # at or before the launch there is nothing to choose
        return problems
    at.button_group(key="review_forecast_chart").set_value("participants").run()
    problems += sweep_page(at, "review (participants' forecast)", lang)
    for by in ("municipality", "building_type", "route", "site"):
        for measure in ("counter", "pipeline", "occupied", "in_use"):
            at.button_group(key="review_moved_by").set_value(by)
            at.button_group(key="review_moved_measure").set_value(measure).run()
            assert not at.exception, [e.message for e in at.exception]
            problems += sweep_page(at, f"review ({by}, {measure})", lang)
    return problems


def open_as_viewer(page: str, as_of: date, lang: str) -> AppTest:
    return open_page(page, VIEWER, as_of, lang, timeout=90)


def sweep_pack(session: Session, tmp_path, as_of: date, lang: str) -> list[str]:
    """The pack as it is sent round (the default: suppressed), html and xlsx."""
    problems: list[str] = []
    xlsx, html_path = tmp_path / f"pack-{as_of}.xlsx", tmp_path / f"pack-{as_of}.html"
    write_pack(session, SYSTEM, xlsx, as_of, lang=lang)
    write_pack(session, SYSTEM, html_path, as_of, lang=lang)
    book = load_workbook(xlsx)
    for key in ("funnel", "status", "retention", "lead_time", "municipality", "building_type", "route", "site",
                "series", "forecast"):
        ws = book[sheet(key, "nl") if lang == "nl" else sheet(key, "en")]
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0] if rows else ()
        for row in rows[1:]:
            code = (code_of(key, row[0], lang) or "") if row else ""  # a row read by its label
            people_row = (key in ("funnel", "retention") and not code.endswith("rate")) or code.endswith(
                "occupied") or code.endswith("lead_time_days.n") or (
                key == "forecast" and row[0] == t("forecast_participants", lang))
            for j, value in enumerate(row):
                column = str(header[j]) if j < len(header) else ""
                people_column = (t("measure_occupied", lang).lower() in column.lower()
                                 and t("measure_in_use", lang).lower() not in column.lower()) or (
                    key == "series" and column == t("forecast_participants", lang))
                if (people_row and j in (1, 2, 3)) or people_column:
                    if small(value):
                        problems.append(f"pack xlsx {key}: {row[0]} / {column} = {value!r}")
    text = html_path.read_text()
    for block in re.findall(r'<div class="block table-(?:funnel|status|retention|lead_time|municipality|site|'
                            r'building_type|route|series)">(.*?)</div>', text, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", block, re.S):
            cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            if cells and cells[0] in people_labels(lang):
                problems += [f"pack html row {cells[0]} = {c}" for c in cells[1:] if small(c)]
    for spec in re.findall(r'Plotly\.newPlot\(\s*"chart-funnel",\s*(\[.*?\]),\s*\{', text, re.S):
        for trace in json.loads(spec):
            problems += [f"pack html funnel chart {v!r}" for v in trace.get("x", []) + trace.get("text", [])
                         if small(v)]
    return problems


# --- a small hand-made history: every count of people 1 to 4 -------------------------------------

D = date


def build_small_history(engine) -> None:
    with Session(engine) as session:
        def dwelling(ref, status, on, municipality, **extra):
            services.upsert_dwelling(session, SYSTEM, DwellingIn(ref=ref, municipality=municipality, status=status,
                                                                 status_date=on, **extra))

        def event(code, kind, on, outcome=None, dwelling_ref=None):
            services.record_event(session, SYSTEM, EventIn(code=code, event=kind, date=on, outcome=outcome,
                                                           dwelling_ref=dwelling_ref))

        for i in range(8):
            dwelling(f"U-{i}", "available", D(2020, 1, 10), "Utrecht", site="Complex A", route="project")
        for i in range(6):
            dwelling(f"Z-{i}", "location_found", D(2020, 1, 10), "Zeist", route="scattered")
        for i in range(3):
            services.register_participant(session, SYSTEM, ParticipantIn(
                code=f"P-{i}", referrer="Stadsteam Back Up", referred_on=D(2020, 1, 20)))
            event(f"P-{i}", "assessed", D(2020, 1, 25), "eligible")
            event(f"P-{i}", "matched", D(2020, 2, 1), dwelling_ref=f"U-{i}")
            event(f"P-{i}", "housed", D(2020, 2, 10 + i), dwelling_ref=f"U-{i}")
        event("P-0", "exited", D(2020, 9, 1), "negative")
        services.register_participant(session, SYSTEM, ParticipantIn(
            code="P-9", referrer="Stadsteam Back Up", referred_on=D(2021, 5, 29), central_waiting_list=True))
        services.change_dwelling_status(session, SYSTEM, StatusChangeIn(ref="Z-0", status="available",
                                                                        effective_on=D(2021, 5, 29)))
        decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "Mei"})
        session.commit()


@pytest.fixture(scope="module")
def small_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sweep') / 'eet.db'}"
    initialise(get_engine(url))
    build_small_history(get_engine(url))
    yield url
    get_engine(url).dispose()


@pytest.fixture(scope="module")
def demo_sweep_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sweep_demo') / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    yield url
    get_engine(url).dispose()


CASES = [("small", D(2021, 5, 31), "nl"), ("small", D(2021, 5, 31), "en"), ("small", D(2021, 2, 15), "nl"),
         ("demo", D(2021, 1, 15), "nl"), ("demo", D(2021, 5, 31), "nl"), ("demo", D(2021, 5, 31), "en")]


@pytest.mark.parametrize("data,as_of,lang", CASES)
def test_viewer_sees_no_small_count_of_people_on_any_page_or_in_the_pack(
        data, as_of, lang, small_url, demo_sweep_url, monkeypatch, tmp_path):
    url = small_url if data == "small" else demo_sweep_url
    monkeypatch.setenv("EET_DATABASE_URL", url)
    problems = []
    for page in PAGES:
        at = open_as_viewer(page, as_of, lang)
        problems += sweep_page(at, page, lang)
        if page.endswith("review.py"):  # what the page draws on choice: every breakdown and measure, both forecasts
            problems += sweep_review_choices(at, lang)
    with Session(get_engine(url)) as session:
        problems += sweep_pack(session, tmp_path, as_of, lang)
    assert not problems, "\n".join(problems)


def test_the_sweep_finds_small_counts_where_they_are_shown(small_url, monkeypatch):
    """The same checks on a researcher's pages find the exact small counts, so the sweep looks
    where the numbers are."""
    monkeypatch.setenv("EET_DATABASE_URL", small_url)
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = Actor("onderzoeker", "researcher")
    at.query_params["as_of"] = "2021-05-31"
    at.run()
    at.switch_page("pages/participants.py").run()
    found = sweep_page(at, "participants", "nl")
    assert any("table" in p for p in found) and any("chart" in p for p in found), found
