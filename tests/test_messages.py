"""The message catalogue: every refusal a person can read has a Dutch and an English text with the
same placeholders, every raise site in eet names a catalogue key, and the texts render dates, terms
and lists of allowed values in the reader's language while the English stays what the command line
prints."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from eet.texts import messages

from eet.entry import services
from eet.accounts.access import SYSTEM, AccessDenied, Actor, require_org, require_role, row_scope
from eet.texts import catalogue
from eet.texts.messages import Choices, placeholders
from eet.entry.schemas import PYDANTIC_KEYS, DwellingIn, EventIn, FieldError, ParticipantIn, RuleError
from eet.entry.tabular import TableError, read_table

EET = Path(__file__).resolve().parent.parent / "eet"
# The refusals (msg.<key>) and the code values named inside them (term.<kind>.<code>) of the one catalogue.
CATALOGUE = {key[4:]: (text["nl"], text["en"]) for key, text in catalogue().items() if key.startswith("msg.")}
TERMS: dict[str, dict[str, tuple[str, str]]] = {}
for _key, _text in catalogue().items():
    if _key.startswith("term."):
        _, _kind, _code = _key.split(".", 2)
        TERMS.setdefault(_kind, {})[_code] = (_text["nl"], _text["en"])
D = date(2021, 1, 15)


# --- the catalogue -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    dutch, english = CATALOGUE[key]
    assert dutch.strip() and english.strip()
    assert placeholders(dutch) == placeholders(english), key
    # both render with any value for each placeholder
    params = {name: "x" for name in placeholders(english)}
    assert messages.render(key, params, "nl") and messages.render(key, params, "en")


def test_dutch_is_not_a_copy_of_the_english():
    same = [key for key, (dutch, english) in CATALOGUE.items() if dutch == english]
    assert same == []


def test_every_term_has_a_dutch_word():
    for kind, codes in TERMS.items():
        for code, (dutch, english) in codes.items():
            assert dutch.strip(), (kind, code)
            assert english is None or english.strip(), (kind, code)


# --- every raise site names a key ----------------------------------------------------------------

# Calls that build a refusal a person reads, and the position of the catalogue key among their
# positional arguments.
KEY_POSITION = {"FieldError": 1, "refused": 1, "Refusal": 0, "TableError": 0, "AccessDenied": 0, "message": 0}


def _calls():
    for path in sorted(EET.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else \
                    node.func.attr if isinstance(node.func, ast.Attribute) else None
                if name in KEY_POSITION:
                    yield path.name, node.lineno, name, node


def _written_out(module: str, name: str, key: ast.expr | None) -> bool:
    """The key is a catalogue key in the source, or passed on from one: a FieldError rebuilt from a
    Refusal's `.key`, and schemas.refused / schemas._field_error (PYDANTIC_KEYS is checked below)."""
    if isinstance(key, ast.Constant):
        return key.value in CATALOGUE
    if isinstance(key, ast.IfExp):
        return _written_out(module, name, key.body) and _written_out(module, name, key.orelse)
    if isinstance(key, ast.Attribute):
        return name == "FieldError" and key.attr == "key"
    return module == "schemas.py" and isinstance(key, ast.Name) and key.id == "key"


def test_no_refusal_is_built_without_a_catalogue_key():
    found, wrong = 0, []
    for module, line, name, node in _calls():
        if module == "messages.py":
            continue  # the definitions themselves
        found += 1
        position = KEY_POSITION[name]
        key = node.args[position] if len(node.args) > position else None
        if not _written_out(module, name, key):
            wrong.append(f"{module}:{line} {name}(...) without a catalogue key")
    assert found > 80
    assert wrong == []
    assert set(PYDANTIC_KEYS.values()) <= set(CATALOGUE)


# Modules whose refusals people read: a bare ValueError with a sentence would reach them in English.
REFUSING_MODULES = ("entry/schemas", "entry/vocabulary", "entry/services", "entry/state", "entry/route", "entry/imports",
                    "entry/tabular", "entry/living_lab", "accounts/administration", "review/decisions",
                    "entry/data_entry", "accounts/auth", "accounts/access")


def test_no_english_only_value_error_is_raised_where_people_read_it():
    bare = []
    for module in REFUSING_MODULES:
        tree = ast.parse((EET / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                    isinstance(node.exc.func, ast.Name) and node.exc.func.id in ("ValueError", "PermissionError"):
                bare.append(f"{module}.py:{node.lineno}")
    # imports.import_file's `kind` is chosen by the program (command line, page), never typed by a person
    assert bare == ["entry/imports.py:" + str(_line_of("entry/imports", "kind must be one of"))]


def _line_of(module: str, text: str) -> int:
    lines = (EET / f"{module}.py").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_a_field_error_needs_a_known_key_and_its_parameters():
    with pytest.raises(KeyError):
        FieldError("ref", "no dwelling with ref 'X'")
    with pytest.raises(KeyError):
        FieldError("ref", "no_dwelling")  # {ref} missing
    error = FieldError("ref", "no_dwelling", {"ref": "UTR-9"})
    assert error.message == "no dwelling with ref 'UTR-9'"
    assert error.text("nl") == "er is geen woning met kenmerk 'UTR-9'"
    assert str(RuleError(error)) == "ref: no dwelling with ref 'UTR-9'"


# --- rendering -----------------------------------------------------------------------------------

def _refusal(model, values) -> dict[str, FieldError]:
    with pytest.raises(RuleError) as refused:
        model.parse(values)
    return {error.field: error for error in refused.value.errors}


def test_dates_terms_and_allowed_values_in_each_language():
    errors = _refusal(DwellingIn, {"ref": "UTR-1", "municipality": "Utrecht", "status": "klaar",
                                   "status_date": "2999-03-01", "building_type": "villa"})
    assert errors["status_date"].message == "2999-03-01 lies in the future; enter the date it really happened"
    assert errors["status_date"].text("nl") == \
        "01-03-2999 ligt in de toekomst; vul de datum in waarop het echt gebeurde"
    assert errors["status"].message == (
        "'klaar' is not a known status; use one of: searching, location_found, available, occupied, withdrawn "
        "(zoekend, locatie gevonden, beschikbaar, bewoond, vervallen)")
    # A page lists the labels it shows for the codes (issue 14), the command line the codes above.
    assert errors["status"].text("nl") == (
        "'klaar' is geen bekende status; gebruik een van: Zoekend (pijplijn), Locatie gevonden, Beschikbaar, "
        "Bewoond, Vervallen")
    assert errors["status"].text("en") == (
        "'klaar' is not a known status; use one of: Searching (pipeline), Location found, Available, Occupied, "
        "Withdrawn")
    assert errors["building_type"].text("nl") == ("'villa' is geen bekend bouwtype; gebruik een van: "
                                                  "Bestaande bouw, Transformatie, Nieuwbouw")
    assert Choices(("a", "b")).render("nl") == "a, b"


def test_required_and_event_words_in_dutch():
    errors = _refusal(EventIn, {"code": "P-1", "event": "gematcht", "date": "2021-02-01", "outcome": "geschikt"})
    assert errors["outcome"].message == "the step 'matched' has no outcome; leave it empty"
    assert errors["outcome"].text("nl") == "bij de stap 'gematcht' hoort geen uitkomst; laat dit veld leeg"
    assert errors["dwelling_ref"].text("nl") == "bij de stap 'gematcht' hoort het kenmerk van de woning"
    errors = _refusal(ParticipantIn, {"code": "P-1", "referred_on": "2021-02-01"})
    assert errors["referrer"].message == "is required"
    assert errors["referrer"].text("nl") == "is verplicht"


def test_route_refusals_of_the_services_in_dutch(session):
    services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="UTR-1", municipality="Utrecht", status="available",
                                                         status_date=D))
    services.register_participant(session, SYSTEM, ParticipantIn(code="P-1", referrer="Utrecht", referred_on=D))
    with pytest.raises(RuleError) as refused:
        services.record_event(session, SYSTEM, EventIn(code="P-1", event="housed", date=D, dwelling_ref="UTR-1"))
    error = refused.value.errors[0]
    assert error.message == "a move-in needs a match on or before 2021-01-15; record the match first"
    assert error.text("nl") == ("een verhuizing (inhuizing) vraagt eerst een match op of voor 15-01-2021; "
                                "leg eerst de match vast")
    with pytest.raises(RuleError) as refused:
        services.find_organisation(session, "Kwintes", "municipality", "municipality")
    assert refused.value.errors[0].text("nl").startswith(
        "'Kwintes' is een zorgaanbieder, geen gemeente; bekend zijn: Houten, Nieuwegein")
    assert refused.value.errors[0].message.startswith(
        "'Kwintes' is a care provider, not a municipality; known: Houten, Nieuwegein")


def test_a_step_that_would_break_a_later_one_names_the_reason_in_the_same_language(session):
    services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="UTR-1", municipality="Utrecht", status="available",
                                                         status_date=D))
    services.register_participant(session, SYSTEM, ParticipantIn(code="P-1", referrer="Utrecht", referred_on=D))
    services.record_event(session, SYSTEM, EventIn(code="P-1", event="assessed", date=date(2021, 2, 1),
                                                   outcome="eligible"))
    services.record_event(session, SYSTEM, EventIn(code="P-1", event="matched", date=date(2021, 3, 1),
                                                   dwelling_ref="UTR-1"))
    with pytest.raises(RuleError) as refused:
        services.record_event(session, SYSTEM, EventIn(code="P-1", event="withdrawn", date=date(2021, 2, 15)))
    error = refused.value.errors[0]
    assert error.message.startswith("P-1's recorded matched on 2021-03-01 would no longer fit (P-1 withdrew on "
                                    "2021-02-15;")
    assert error.text("nl").startswith("de vastgelegde stap 'gematcht' van P-1 op 01-03-2021 zou dan niet meer "
                                       "kloppen (P-1 is uitgevallen op 15-02-2021;")


def test_access_denied_in_both_languages():
    viewer = Actor("kijker", "viewer")
    with pytest.raises(AccessDenied) as denied:
        row_scope(viewer)
    assert str(denied.value) == "role viewer sees aggregates only"
    assert denied.value.text("nl") == "de rol stuurgroep ziet alleen totalen"
    with pytest.raises(AccessDenied) as denied:
        require_role(viewer, "admin", "researcher")
    assert str(denied.value) == "kijker (viewer) may not do this; needs admin or researcher"
    assert denied.value.text("nl") == "kijker (stuurgroep) mag dit niet; daarvoor is de rol beheerder of onderzoeker nodig"
    with pytest.raises(AccessDenied) as denied:
        require_org(Actor("c", "coordinator", organisation_id=1), 2)
    assert denied.value.text("nl") == "c mag alleen gegevens van de eigen organisatie wijzigen"


def test_a_file_that_is_no_table_in_both_languages():
    with pytest.raises(TableError) as refused:
        read_table(b"a;b\n", "lijst.pdf")
    assert str(refused.value).startswith("lijst.pdf: a .pdf cannot be imported")
    assert refused.value.text("nl").startswith("lijst.pdf: een .pdf-bestand kan niet")
