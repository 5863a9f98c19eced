"""Issue 14, "forms that help": a list may name a coded value as the app itself shows it.

A coordinator's dwellings list with the status `Zoekend (pijplijn)` (what every chart and the
"Nieuwe woning" form show) was refused as "geen bekende status", with internal codes as the
alternatives. Now every coded column of every import kind accepts, besides the codes and the
spec's Dutch words, the labels the app shows in Dutch and English; a refusal on a page lists those
labels in the page's language (the command line keeps the codes); no label names two codes of one
column; and the template helps: a Dutch file name on a Dutch page, and in the xlsx a notes sheet
saying per column whether it is required and which labels are allowed, which the importer passes
over when the filled-in template comes back.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from eet.entry import upload_templates
from eet.entry import vocabulary as vocab
from eet.entry.import_kinds import COLUMNS, KINDS, MODELS
from eet.entry.imports import import_file
from eet.entry.schemas import RuleError
from eet.store.models import Dwelling
from eet.texts import LANGUAGES, t
from import_helpers import load_base
from test_forms import actor, db, page  # noqa: F401  (fixture)

# Every coded column of every import kind (a new one must be listed here, and so get its labels).
CODED = {
    ("dwellings", "building_type"), ("dwellings", "route"), ("dwellings", "status"),
    ("participants", "central_waiting_list"), ("events", "event"), ("events", "outcome"),
    ("costs", "model"), ("costs", "category"), ("costs", "unit"), ("costs", "payer"), ("costs", "building_type"),
}
# A row each input model accepts, in which one coded value at a time is replaced.
BASE = {
    "dwellings": {"ref": "UTR-1", "municipality": "Utrecht", "status": "searching", "status_date": "2021-01-01"},
    "participants": {"code": "P-1", "referrer": "Utrecht", "referred_on": "2021-01-01"},
    "events": {"code": "P-1", "event": "assessed", "date": "2021-01-01", "outcome": "eligible"},
    "costs": {"model": "housing_first", "category": "support", "label": "Begeleiding", "amount_eur": "100",
              "unit": "per_participant_year", "source": "begroting", "valid_from": "2021-01-01"},
}
# What else a value needs to make a whole row (the step's outcome or dwelling, a cost's category and unit).
COMPANIONS = {
    ("events", "event", "assessed"): {"outcome": "eligible"},
    ("events", "event", "matched"): {"outcome": None, "dwelling_ref": "UTR-1"},
    ("events", "event", "housed"): {"outcome": None, "dwelling_ref": "UTR-1"},
    ("events", "event", "exited"): {"outcome": "positive"},
    ("events", "event", "withdrawn"): {"outcome": None},
    ("events", "outcome", "positive"): {"event": "exited"}, ("events", "outcome", "negative"): {"event": "exited"},
    ("events", "outcome", "deceased"): {"event": "exited"},
    ("costs", "model", "shelter"): {"category": "shelter"},
    ("costs", "category", "shelter"): {"model": "shelter"},
    ("costs", "category", "one_off"): {"unit": "one_off_per_participant"},
    ("costs", "unit", "one_off_per_participant"): {"category": "one_off"},
    ("costs", "building_type", "existing"): {"category": "housing"},  # housing costs by building type
    ("costs", "building_type", "transformation"): {"category": "housing"},
    ("costs", "building_type", "new_build"): {"category": "housing"},
}


def coded_columns():
    return [(kind, column) for kind in KINDS for column in COLUMNS[kind] if column.values]


def test_every_coded_column_is_known():
    assert {(kind, column.field) for kind, column in coded_columns()} == CODED


def _row(kind: str, field: str, code, value) -> dict:
    row = {**BASE[kind], **COMPANIONS.get((kind, field, code), {}), field: value}
    return {key: item for key, item in row.items() if item is not None}


def _odd(text: str) -> str:
    """The label as a copy from a web page or a careless hand gives it: capitals, odd spaces around
    and inside."""
    return "\u00a0 " + text.upper().replace(" ", " \u00a0", 1) + "\u200b\t"


@pytest.mark.parametrize("kind", [kind for kind in KINDS if any(k == kind for k, _ in CODED)])
def test_every_coded_column_accepts_the_labels_in_dutch_and_english(kind):
    """Each label the app shows for a code, in either language, in any case and spacing, gives the
    code; so do the codes and the spec's Dutch words, as before."""
    checked = 0
    for _, column in [c for c in coded_columns() if c[0] == kind]:
        for vocabulary in column.values:
            for code in vocabulary.codes:
                spellings = [word for word, of in vocabulary.words.items() if of == code]
                for lang in LANGUAGES:
                    labels = vocabulary.labels(code, lang)
                    assert labels, (kind, column.field, code, lang)  # each code has a label to show
                    spellings += labels + [_odd(label) for label in labels]
                for spelt in spellings:
                    parsed = MODELS[kind].parse(_row(kind, column.field, code, spelt))
                    assert getattr(parsed, column.field) == code, (column.field, spelt)
                    checked += 1
    assert checked > 20


def test_the_reported_status_is_accepted():
    parsed = MODELS["dwellings"].parse({**BASE["dwellings"], "status": "Zoekend (pijplijn)"})
    assert parsed.status == "searching"


@pytest.mark.parametrize("kind, field", sorted(CODED))
def test_no_label_names_two_codes_of_one_column(kind, field):
    column = next(c for c in COLUMNS[kind] if c.field == field)
    for vocabulary in column.values:
        assert vocabulary.ambiguous == {}, vocabulary.ambiguous
        for code in vocabulary.codes:  # every label of a code is accepted for that code
            for lang in LANGUAGES:
                for label in vocabulary.labels(code, lang):
                    assert vocabulary.accepted[vocab.spelling(label)] == code


def test_the_registers_coded_values_are_not_ambiguous_either():
    every = [value for value in vars(vocab).values() if isinstance(value, vocab.Vocabulary)]
    assert len(every) >= 14
    assert {id(v) for v in every} >= {id(v) for _, c in coded_columns() for v in c.values}
    assert [v.ambiguous for v in every if v.ambiguous] == []


@pytest.mark.parametrize("kind, field", sorted(CODED))
def test_a_refusal_lists_the_labels_of_the_page_language(kind, field):
    """A page lists the labels of its language and no internal code; the command line (`.message`,
    English) lists the codes, what it is typed with."""
    column = next(c for c in COLUMNS[kind] if c.field == field)
    vocabulary = column.values[0]  # the outcome of an assessment, the first of its two
    with pytest.raises(RuleError) as refused:
        MODELS[kind].parse(_row(kind, field, None, "gesloopt"))
    error = next(e for e in refused.value.errors if e.field == field)
    for lang in LANGUAGES:
        shown = error.text(lang)
        assert shown.endswith(", ".join(vocabulary.label(code, lang) for code in vocabulary.codes)), shown
        for code in vocabulary.codes:
            if not isinstance(code, bool) and "_" in code:
                assert code not in shown, shown  # an internal code such as location_found
    if all(isinstance(code, str) for code in vocabulary.codes):
        assert all(code in error.message for code in vocabulary.codes), error.message
    if vocabulary.what is None:  # no Dutch words in the spec: the command line lists the codes only
        assert error.message.endswith(", ".join(vocabulary.codes)), error.message


def test_the_dutch_refusal_of_the_report():
    with pytest.raises(RuleError) as refused:
        MODELS["dwellings"].parse({**BASE["dwellings"], "status": "klaar"})
    error = refused.value.errors[0]
    assert error.text("nl") == ("'klaar' is geen bekende status; gebruik een van: Zoekend (pijplijn), "
                                "Locatie gevonden, Beschikbaar, Bewoond, Vervallen")
    assert error.text("en") == ("'klaar' is not a known status; use one of: Searching (pipeline), "
                                "Location found, Available, Occupied, Withdrawn")
    assert error.message == ("'klaar' is not a known status; use one of: searching, location_found, available, "
                             "occupied, withdrawn (zoekend, locatie gevonden, beschikbaar, bewoond, vervallen)")


def test_a_yes_no_refusal_names_the_answers():
    with pytest.raises(RuleError) as refused:
        MODELS["participants"].parse({**BASE["participants"], "central_waiting_list": "misschien"})
    error = refused.value.errors[0]
    assert error.text("nl").endswith("gebruik een van: ja, nee")
    assert error.text("en").endswith("use one of: yes, no")
    assert error.message.endswith("use one of: yes, no (ja, nee)")  # it listed nothing before


# --- the template ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, names", [
    ("nl", ["sjabloon-woningen", "sjabloon-deelnemers", "sjabloon-stappen", "sjabloon-zrm-metingen",
            "sjabloon-kostenparameters"]),
    ("en", ["template-dwellings", "template-participants", "template-events", "template-zrm-measurements",
            "template-cost-parameters"]),
])
def test_template_file_names_are_in_the_page_language(lang, names):
    assert [upload_templates.file_name(kind, lang, "csv") for kind in KINDS] == [f"{n}.csv" for n in names]
    assert upload_templates.file_name("dwellings", lang, "xlsx") == f"{names[0]}.xlsx"


@pytest.mark.parametrize("lang, expected", [
    ("nl", ["sjabloon-woningen.csv", "sjabloon-woningen.xlsx"]),
    ("en", ["template-dwellings.csv", "template-dwellings.xlsx"]),
])
def test_the_page_offers_the_templates_under_those_names(db, monkeypatch, lang, expected):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    named = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        named.append(filename)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    page("pages/upload.py", actor(db, "coordinator"), lang=lang)
    assert named == expected


def test_the_csv_template_is_a_bare_header():
    text = upload_templates.template_csv("dwellings", "nl").decode("utf-8-sig")
    assert text.splitlines() == ["kenmerk;gemeente;corporatie;zorgaanbieder;locatie;bouwtype;route;status;"
                                 "statusdatum;verwachte_oplevering"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_xlsx_template_explains_each_column(lang):
    book = load_workbook(io.BytesIO(upload_templates.template_xlsx("dwellings", lang)))
    notes_name = t("template_notes_sheet", lang)
    assert book.sheetnames == [t("template_sheet_dwellings", lang), notes_name]
    assert book.active.title == t("template_sheet_dwellings", lang)  # the list's sheet opens first
    assert [c.value for c in book.active[1]] == upload_templates.header("dwellings", lang)
    assert book.active.max_row == 1  # no example row to be imported by mistake
    rows = {row[0]: row[1:] for row in book[notes_name].iter_rows(min_row=2, values_only=True) if row[0]}
    status = rows["status"]
    assert status[0] == t("yes", lang)
    assert status[1] == ("Zoekend (pijplijn), Locatie gevonden, Beschikbaar, Bewoond, Vervallen" if lang == "nl"
                         else "Searching (pipeline), Location found, Available, Occupied, Withdrawn")
    assert rows["route"] == (t("no", lang), "Gespikkeld, Projectmatig" if lang == "nl" else "Scattered, Project")
    # the pick list under the status column holds the same labels
    picks = {str(v.sqref).split(":")[0]: v.formula1 for v in book.active.data_validations.dataValidation}
    assert picks["H2"] == '"' + status[1].replace(", ", ",") + '"'
    # every kind has a row per column on its notes sheet
    for kind in KINDS:
        notes = upload_templates.notes(kind, lang)
        assert [row[0] for row in notes[1:]] == upload_templates.header(kind, lang)
        assert all(row[1] and row[2] for row in notes)


def _filled(kind: str, lang: str, values: dict) -> bytes:
    """The xlsx template of `kind` with one row, its coded values the labels of `lang`."""
    book = load_workbook(io.BytesIO(upload_templates.template_xlsx(kind, lang)))
    book.active.append([values.get(column.field) for column in COLUMNS[kind]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _label(vocabulary, code, lang):
    return vocabulary.label(code, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_filled_in_template_with_labels_imports(engine, tmp_path, lang):
    """Template -> one row typed with the labels the template lists -> the import takes it, reads the
    list's sheet and says nothing of the notes sheet."""
    load_base(engine, tmp_path)
    rows = {
        "dwellings": {"ref": "UTR-0100", "municipality": "Utrecht", "status_date": "01-03-2021",
                      "building_type": _label(vocab.BUILDING_TYPE, "new_build", lang),
                      "route": _label(vocab.ROUTE, "scattered", lang),
                      "status": _label(vocab.STATUS, "searching", lang)},
        "participants": {"code": "P-0100", "referrer": "Utrecht", "referred_on": "2021-03-01",
                         "central_waiting_list": _label(vocab.YES_NO, True, lang), "age_band": "30-39"},
        "events": {"code": "P-0001", "event": _label(vocab.EVENT, "exited", lang), "date": "2021-04-01",
                   "outcome": _label(vocab.EXIT, "positive", lang)},
        "measurements": {"code": "P-0001", "date": "2021-04-01", "finances": 3, "housing": 4},
        "costs": {"model": _label(vocab.COST_MODEL, "housing_first", lang),
                  "category": _label(vocab.COST_CATEGORY, "one_off", lang), "label": "Inrichting",
                  "amount_eur": 2500, "unit": _label(vocab.COST_UNIT, "one_off_per_participant", lang),
                  "source": "begroting 2021", "valid_from": "2021-01-01",
                  "payer": _label(vocab.PAYER, "gemeente", lang)},
    }
    assert rows["dwellings"]["status"] == ("Zoekend (pijplijn)" if lang == "nl" else "Searching (pipeline)")
    for kind in KINDS:
        name = upload_templates.file_name(kind, lang, "xlsx")
        result = import_file(engine, kind, _filled(kind, lang, rows[kind]), name)
        assert result.ok and result.written, (kind, [e.text(lang) for e in result.errors])
        assert [r.outcome for r in result.rows] == ["created"], kind
        assert result.sheet == t(upload_templates.SHEET_NAMES[kind], lang)
        assert result.warnings == [], (kind, [w.text(lang) for w in result.warnings])
    with Session(engine) as session:
        dwelling = session.exec(select(Dwelling).where(Dwelling.ref == "UTR-0100")).one()
        assert (dwelling.building_type, dwelling.route) == ("new_build", "scattered")


def test_the_upload_page_takes_the_labels_it_shows(db):
    """The issue's own list, on the Dutch page: checked without a refusal."""
    data = ("kenmerk;gemeente;bouwtype;route;status;statusdatum\r\n"
            "UTR-0200;Utrecht;Nieuwbouw;Gespikkeld;Zoekend (pijplijn);01-03-2021\r\n"
            "UTR-0201;Utrecht;New build;Project; locatie  GEVONDEN ;01-03-2021\r\n").encode("utf-8")
    at = page("pages/upload.py", actor(db, "coordinator"))
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.csv", data, "text/csv")).run()
    at.button(key="up_check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "2 nieuw" in at.success[0].value
