"""Tables are read whole at 820 px (issue 14): ui.forms.fitted gives every column the width of its
header and its longest word, narrows long text so that the columns fit the page and lets it wrap,
and leaves a table that can never fit to scroll with its first column in sight."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from eet.accounts.access import Actor
from eet.texts import t
from tests.conftest import module_demo_database
from ui.forms import BUDGET_PX, CHAR_PX, PAD_PX, fitted, lines_at, table_styler

COSTS = {  # the research page's cost table as the demo fills it
    "Model": ["Housing First", "Opvangmodel"], "Categorie": ["Woonlasten", "Opvang"],
    "Omschrijving": ["Huurderving en woonbeheer (gesimuleerd)", "Opvangplek maatschappelijke opvang (gesimuleerd)"],
    "Bedrag": ["€ 4.500", "€ 24.000"], "Eenheid": ["per deelnemerjaar", "eenmalig per deelnemer"],
    "Bron": ["Rekenmodel demo Eerst een Thuis, mei 2021 (gesimuleerd, geen echte bron)"] * 2,
    "Geldig vanaf": ["01-01-2021", "01-01-2021"],
}


def _widths(config: dict) -> dict:
    return {name: column.get("width") for name, column in config.items()}


def test_a_wide_table_of_text_fits_the_page_and_wraps():
    config, row_height = fitted(COSTS)
    widths = _widths(config)
    assert sum(widths.values()) <= BUDGET_PX
    for name, cells in COSTS.items():
        longest_word = max(len(w) for cell in cells for w in cell.split())
        assert widths[name] >= min(len(name), 20) * CHAR_PX, name  # the header is read whole
        assert widths[name] >= longest_word * CHAR_PX, name  # no word broken in the middle
    assert row_height and row_height > 64  # Streamlit wraps a cell's text only in rows over 4rem
    assert config["Bedrag"]["alignment"] == "right" and config["Model"].get("alignment") is None


def test_the_lines_a_row_needs_are_spread_over_its_columns():
    """The research page's cost table as the demo fills it: "Bron" was narrowed to its longest word
    and ran to four lines ("Rekenmodel / Eerst een / Thuis, mei / 2021") beside a one-line "Eenheid"."""
    demo = {**COSTS, "Omschrijving": ["Ambulante woonbegeleiding Wmo", "GGZ en verslavingszorg in de opvang"],
            "Eenheid": ["eenmalig per deelnemer", "per deelnemerjaar"],
            "Bron": ["Rekenmodel Eerst een Thuis, mei 2021"] * 2}
    config, row_height = fitted(demo)
    widths = _widths(config)
    assert sum(widths.values()) <= BUDGET_PX
    assert max(lines_at(cells, widths[name]) for name, cells in demo.items()) <= 3
    assert widths["Geldig vanaf"] >= 10 * CHAR_PX + PAD_PX  # a date whole


def test_a_narrow_table_keeps_its_rows_single():
    config, row_height = fitted({"Stap": ["Aangemeld", "Gehuisvest"], "Aantal": ["114", "86"]})
    assert row_height is None and sum(_widths(config).values()) < BUDGET_PX


def test_a_table_that_cannot_fit_scrolls_with_its_first_column_pinned():
    many = {f"Kolom met een lange naam {i}": ["Bestaande bouw, projectmatig"] for i in range(9)}
    config, row_height = fitted(many)
    assert row_height is None
    assert [c.get("pinned") for c in config.values()] == [True] + [False] * 8
    assert all(c.get("width") is None for c in config.values())


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    yield from module_demo_database(tmp_path_factory)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_table_of_the_research_and_audit_pages_fits_820_px(demo_url, lang):
    """The research page's cost table and the audit trail cut their last columns off at 820 px;
    the audit trail's 'Wie' said 'system'."""
    for actor, page in ((Actor("onderzoeker", "researcher"), "pages/research.py"),
                        (Actor("beheerder", "admin"), "pages/audit.py")):
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=90)
        at.session_state["actor"] = actor
        at.query_params["lang"] = lang
        at.query_params["as_of"] = "2021-05-31"
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        for frame in at.dataframe:
            config = json.loads(frame.proto.columns)
            widths = [c.get("width") for name, c in config.items() if name != "_index"]
            if all(isinstance(w, int) for w in widths) and widths:
                assert sum(widths) <= BUDGET_PX, (page, list(config))
            else:  # a table too wide for any page scrolls with its first column in sight
                assert any(c.get("pinned") for c in config.values()), (page, list(config))
        if page == "pages/audit.py":
            who = list(at.dataframe[0].value[t("who", lang)])
            assert "system" not in who and t("audit_system", lang) in who


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_view_of_the_dwelling_list_fits_820_px_with_its_dates_whole(demo_url, lang):
    """"Woningen op 30 mei 2021" had ten columns, wider than the page: at 1280 px the Statusdatum
    showed "07-0…" at the edge, at 820 px the table scrolled sideways. It shows them in two views,
    each as wide as the page at most; the status view's rows stay one line high."""
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=90)
    at.session_state["actor"] = Actor("beheerder", "admin")
    at.query_params["lang"] = lang
    at.query_params["as_of"] = "2021-05-30"
    at.run()
    at.switch_page("pages/dwellings.py").run()
    assert not at.exception, [e.message for e in at.exception]
    seen = set()
    for view in ("status", "partners"):
        at.button_group(key="dwelling_view").set_value(view).run()
        frame = next(f for f in at.dataframe if t("ref", lang) in json.loads(f.proto.columns))
        config = json.loads(frame.proto.columns)
        widths = {name: c.get("width") for name, c in config.items() if name != "_index"}
        assert all(isinstance(w, int) for w in widths.values()), (view, widths)
        assert sum(widths.values()) <= BUDGET_PX, (view, widths)
        for day in ("status_date", "expected_date"):
            if t(day, lang) in widths:
                assert widths[t(day, lang)] >= 10 * CHAR_PX + PAD_PX
        if view == "status":
            assert not frame.proto.row_height  # one line a row
        seen |= set(widths)
    headings = {"site": "site_column"}
    assert seen == {t(headings.get(c, c), lang) for c in ("ref", "municipality", "corporation", "care_provider", "site",
                                                            "building_type", "route", "status", "status_date",
                                                            "expected_date")}


def test_a_static_table_keeps_dates_and_figures_whole_and_right_aligned():
    """Evaluatie, "Behoud na 12 maanden": the headers wrapped as "15-01- / 2021" (st.table takes a
    column's name as it is, the Styler's header format never reached it) and "0 %- / punt"; the
    forecast, a table on its side, aligned its figures left."""
    styler = table_styler({"Cijfer": ["Behoud (doel 90%)", "Cohort"], "15-01-2021": ["100,0%", "12"],
                           "30-05-2021": ["100,0%", "12"], "Verschil": ["0 %-punt", "0"]})
    assert "0\u00a0%\u2011punt" in styler.to_html()  # non-breaking, on the screen only
    whole = {style["selector"] for style in styler.table_styles if ("white-space", "nowrap") in style["props"]}
    assert {"th.col1", "th.col1 *", "th.col2 *", "td.row0.col3", "td.row0.col3 *"} <= whole
    assert not any("," in selector for selector in whole)  # each scoped to its table by Streamlit
    assert not any(selector.startswith(("th.col0", "td.row0.col0", "th.col3")) for selector in whole)
    forecast = table_styler({"Cijfer": ["15-01-2021", "30-05-2021", "Tempo per maand", "Oordeel"],
                             "Woningen (teller)": ["132", "169", "8,3", "op koers"]})
    assert ("text-align", "right !important") in forecast._compute().ctx[(0, 1)]
    assert ("text-align", "right !important") not in forecast._compute().ctx.get((0, 0), [])


def test_a_column_of_figures_stays_right_aligned_with_withheld_cells():
    """A viewer's column mixes figures with what is withheld ("in bewoond of beschikbaar", "niet
    getoond", a band 91–100%); its figures were left-aligned (second walk-through)."""
    from ui.forms import numbers_right

    config = numbers_right({"Gemeente": ["Utrecht", "Zeist", "Houten"],
                            "Bewoond": ["48", "in bewoond of beschikbaar", "<5"],
                            "Behoud": ["91–100%", "87,5%", "niet getoond"],
                            "Opmerking": ["niet getoond", "–", ""]})
    assert config["Bewoond"]["alignment"] == "right" and config["Behoud"]["alignment"] == "right"
    assert "Gemeente" not in config and "Opmerking" not in config  # no figure at all: left as text
