"""Issue 17 on both backends: the business case per payer and its sensitivity (hand-worked), the
report's new keys, and the measurements and costs imports with their rules and roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from eet.accounts.access import AccessDenied, Actor, SYSTEM
from eet.entry.imports import import_file
from eet.entry.schemas import RuleError
from eet.entry.living_lab import save_cost_parameter
from eet.entry.measurements import MeasurementIn, measurement_rows, record_measurement
from eet.figures import business_case as bc
from eet.figures.report import build_report
from eet.store.models import AuditRecord, CostParameter, Measurement, Organisation
from eet.texts import t
from import_helpers import load_base, run_cli, write_csv

from test_recovery import _house

AS_OF = date(2021, 1, 1)
YEARS = (366 + 184) / 365.25  # P-01 housed 2020-01-01, P-02 2020-07-01, both to 2021-01-01
SPREAD = 2 * 2000 / YEARS  # the one-off 2,000 of two participants over their years


def _cost(session, model, category, label, amount, payer=None, low=None, high=None, unit="per_participant_year"):
    save_cost_parameter(session, SYSTEM, dict(model=model, category=category, label=label, amount_eur=amount,
                                              unit=unit, source="test", valid_from=date(2020, 1, 1), payer=payer,
                                              low_eur=low, high_eur=high))


@pytest.fixture()
def costed(engine):
    with Session(engine) as s:
        _house(s, 1, "P-01", date(2020, 1, 1))
        _house(s, 2, "P-02", date(2020, 7, 1))
        _cost(s, "housing_first", "support", "Begeleiding", 10000, "gemeente", 8000, 13000)
        _cost(s, "housing_first", "housing", "Woonlasten", 5000, "woningcorporatie")
        _cost(s, "housing_first", "one_off", "Inrichting", 2000, "gemeente", unit="one_off_per_participant")
        _cost(s, "housing_first", "support", "Zonder betaler", 1000)
        _cost(s, "shelter", "shelter", "Opvang", 30000, "gemeente", 20000, 40000)
        _cost(s, "shelter", "shelter", "GGZ in de opvang", 4000, "zorgverzekeraar")
        s.commit()
    return engine


def test_business_case_per_payer_by_hand(costed):
    with Session(costed) as s:
        case = bc.business_case(s, AS_OF)
        lines = {line.payer: line for line in bc.per_payer(case)}
        report = build_report(s, AS_OF)["business_case"]
    assert list(lines) == ["gemeente", "zorgverzekeraar", "woningcorporatie", "other", "total"]
    assert lines["gemeente"].housing_first == pytest.approx(10000 + SPREAD)
    assert (lines["gemeente"].shelter, lines["gemeente"].difference) == (30000, pytest.approx(20000 - SPREAD))
    assert (lines["woningcorporatie"].housing_first, lines["woningcorporatie"].difference) == (5000, -5000)
    assert (lines["zorgverzekeraar"].housing_first, lines["zorgverzekeraar"].difference) == (0, 4000)
    assert lines["other"].difference == -1000  # a parameter without a payer counts under "other"
    assert lines["total"].housing_first == pytest.approx(16000 + SPREAD)
    assert lines["total"].difference == pytest.approx(18000 - SPREAD)
    assert report["total"]["difference"] == pytest.approx(18000 - SPREAD)
    assert report["per_payer"]["woningcorporatie"] == {"housing_first": 5000, "shelter": 0, "difference": -5000}


def test_sensitivity_and_break_even_by_hand(costed):
    with Session(costed) as s:
        spread = bc.sensitivity(bc.business_case(s, AS_OF))
    base = 18000 - SPREAD
    assert [x.label for x in spread] == ["Opvang", "Begeleiding"]  # largest swing first; others have no range
    opvang, begeleiding = spread
    assert (opvang.difference_at_low, opvang.difference_at_high) == (pytest.approx(base - 10000),
                                                                     pytest.approx(base + 10000))
    assert opvang.break_even_eur == pytest.approx(30000 - base)  # shelter this cheap: Housing First no gain
    assert (begeleiding.difference_at_low, begeleiding.difference_at_high) == (pytest.approx(base + 2000),
                                                                               pytest.approx(base - 3000))
    assert begeleiding.break_even_eur == pytest.approx(10000 + base)


def test_without_a_shelter_parameter_the_differences_are_null(engine):
    with Session(engine) as s:
        _cost(s, "housing_first", "support", "Begeleiding", 10000, "gemeente", 8000, 13000)
        s.commit()
        case = bc.business_case(s, AS_OF)
        report = build_report(s, AS_OF)["business_case"]
    assert report["total"] == {"housing_first": 10000, "shelter": None, "difference": None}
    assert report["per_payer"]["gemeente"]["difference"] is None
    assert bc.sensitivity(case) == []


def test_a_cost_range_must_hold_the_amount(engine):
    from eet.entry.schemas import RuleError
    with Session(engine) as s, pytest.raises(RuleError) as refused:
        _cost(s, "shelter", "shelter", "Opvang", 30000, "gemeente", 31000, 40000)
    assert refused.value.errors[0].field == "low_eur"


# --- the measurements import -------------------------------------------------------------------

M_HEAD = ["code", "datum", "financien", "huisvesting", "Mental_Health", "justitie"]


def test_measurements_import_and_again(engine, tmp_path, monkeypatch, capsys):
    load_base(engine, tmp_path)
    path = write_csv(tmp_path / "zrm.csv", [M_HEAD, ["P-0001", "2021-01-25", "2", "1", "", "5"],
                                            ["P-0001", "2021-06-01", "3", "2", "2", ""],
                                            ["P-0002", "01-02-2021", "", "", "3", ""]])
    code, out, _ = run_cli(monkeypatch, capsys, engine, "measurements", str(path))
    assert code == 0 and "created 3 measurements, changed 0, 0 unchanged" in out
    code, out, _ = run_cli(monkeypatch, capsys, engine, "measurements", str(path))
    assert code == 0 and "created 0 measurements, changed 0, 3 unchanged" in out
    with Session(engine) as s:
        rows = measurement_rows(s, SYSTEM, "P-0001")
    assert [(r["date"], r["total"], r["scored"]) for r in rows] == [(date(2021, 6, 1), 7, 3), (date(2021, 1, 25), 8, 3)]
    # Other scores on a recorded date replace the row: the old one is voided, not deleted.
    write_csv(path, [M_HEAD, ["P-0001", "2021-01-25", "3", "1", "", "5"]])
    code, out, _ = run_cli(monkeypatch, capsys, engine, "measurements", str(path))
    assert code == 0 and "changed 1" in out
    with Session(engine) as s:
        assert len(s.exec(select(Measurement)).all()) == 4
        assert len(s.exec(select(Measurement).where(Measurement.voided_at.is_not(None))).all()) == 1
        assert s.exec(select(AuditRecord).where(AuditRecord.entity == "measurement",
                                                AuditRecord.action == "void")).one()


TOMORROW = (date.today() + timedelta(days=1)).isoformat()
BAD_MEASUREMENTS = [
    (["P-9999", "2021-02-01", "3", "", "", ""], "row 2, column code: no participant with code 'P-9999'"),
    (["P-0001", TOMORROW, "3", "", "", ""], f"row 2, column datum: {TOMORROW} lies in the future"),
    (["P-0001", "2021-01-19", "3", "", "", ""], "row 2, column datum: 2021-01-19 lies before P-0001's referral"),
    (["P-0001", "2021-02-01", "6", "", "", ""], "row 2, column financien: '6' is not a ZRM score"),
    (["P-0001", "2021-02-01", "2.5", "", "", ""], "row 2, column financien: '2.5' is not a ZRM score"),
    (["P-0001", "2021-02-01", "", "", "", ""], "row 2, column financien: score at least one of the 13 domains"),
]


@pytest.mark.parametrize("row, expected", BAD_MEASUREMENTS)
def test_a_bad_measurement_refuses_the_file(engine, tmp_path, monkeypatch, capsys, row, expected):
    load_base(engine, tmp_path)
    path = write_csv(tmp_path / "zrm.csv", [M_HEAD, row, ["P-0002", "2021-02-01", "3", "", "", ""]])
    code, out, err = run_cli(monkeypatch, capsys, engine, "measurements", str(path))
    assert code == 1
    assert expected in out + err
    with Session(engine) as s:
        assert s.exec(select(Measurement)).all() == []  # all or nothing


def test_the_same_measurement_twice_in_a_file(engine, tmp_path):
    load_base(engine, tmp_path)
    path = write_csv(tmp_path / "zrm.csv", [M_HEAD, ["P-0001", "2021-02-01", "3", "", "", ""],
                                            ["p-0001", "01-02-2021", "4", "", "", ""]])
    result = import_file(engine, "measurements", path)
    assert [str(e) for e in result.errors] == [
        "row 3, column code: p-0001 is also in row 2; a list holds each measurement once"]


def _org(session, name: str) -> int:
    return session.exec(select(Organisation).where(Organisation.name == name)).one().id


def test_who_may_write_and_read_measurements(engine, tmp_path):
    load_base(engine, tmp_path)  # P-0001: care provider Lister, P-0002: Kwintes
    with Session(engine) as s:
        lister = Actor("c.lister", "coordinator", organisation_id=_org(s, "Lister"))
        utrecht = Actor("c.utrecht", "coordinator", organisation_id=_org(s, "Utrecht"))
        data = MeasurementIn.parse({"code": "P-0001", "date": "2021-02-01", "housing": 2})
        assert record_measurement(s, lister, data) == "created"
        for actor in (Actor("r", "researcher"), Actor("v", "viewer")):
            with pytest.raises(AccessDenied):
                record_measurement(s, actor, MeasurementIn.parse({"code": "P-0001", "date": "2021-03-01", "housing": 3}))
        # Another organisation's participant is refused as an unknown code would be (issue 25).
        for actor, code in ((utrecht, "P-0001"), (lister, "P-0002")):  # Lister is not P-0002's care provider
            with pytest.raises(RuleError) as refused:
                record_measurement(s, actor, MeasurementIn.parse({"code": code, "date": "2021-03-01", "housing": 3}))
            assert refused.value.errors[0].key == "no_participant"
        record_measurement(s, SYSTEM, MeasurementIn.parse({"code": "P-0002", "date": "2021-03-01", "housing": 3}))
        assert [r["code"] for r in measurement_rows(s, lister)] == ["P-0001"]
        assert sorted(r["code"] for r in measurement_rows(s, Actor("r", "researcher"))) == ["P-0001", "P-0002"]
        with pytest.raises(AccessDenied):
            measurement_rows(s, Actor("v", "viewer"))
        audit = s.exec(select(AuditRecord).where(AuditRecord.entity == "measurement")).all()
        assert [a.actor for a in audit] == ["c.lister", "system"]


# --- the costs import --------------------------------------------------------------------------

C_HEAD = ["model", "categorie", "omschrijving", "bedrag", "eenheid", "bron", "geldig_vanaf", "betaler", "laag", "hoog"]


def test_costs_import_and_again(engine, tmp_path, monkeypatch, capsys):
    path = write_csv(tmp_path / "kosten.csv", [
        C_HEAD, ["housing_first", "support", "Begeleiding", "14000", "per_participant_year", "Rekenmodel 2021",
                 "2021-01-01", "gemeente", "11000", "18000"],
        ["shelter", "shelter", "Opvangplek", "32000", "per_participant_year", "Rekenmodel 2021", "2021-01-01",
         "Wlz/zorgkantoor", "", ""]])
    code, out, _ = run_cli(monkeypatch, capsys, engine, "costs", str(path))
    assert code == 0 and "created 2 costs" in out
    code, out, _ = run_cli(monkeypatch, capsys, engine, "costs", str(path))
    assert code == 0 and "2 unchanged" in out
    with Session(engine) as s:
        rows = {r.label: r for r in s.exec(select(CostParameter))}
    assert (rows["Begeleiding"].payer, rows["Begeleiding"].low_eur, rows["Begeleiding"].high_eur) == ("gemeente", 11000, 18000)
    assert rows["Opvangplek"].payer == "wlz"


def test_a_bad_cost_row_refuses_the_file(engine, tmp_path, monkeypatch, capsys):
    path = write_csv(tmp_path / "kosten.csv", [
        C_HEAD, ["housing_first", "support", "Begeleiding", "14000", "per_participant_year", "Rekenmodel 2021",
                 "2021-01-01", "de buurman", "", ""]])
    code, out, err = run_cli(monkeypatch, capsys, engine, "costs", str(path))
    assert code == 1 and "row 2, column betaler: 'de buurman' is not allowed" in out + err
    with Session(engine) as s:
        assert s.exec(select(CostParameter)).all() == []


# --- the form on the participants' entry page ----------------------------------------------------

def test_measurement_form_good_and_bad(tmp_path, monkeypatch, entry_script_every_run):
    from test_forms import page, submit
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine, session_scope
    from eet.entry import services
    from eet.entry.schemas import ParticipantIn

    url = f"sqlite:///{tmp_path / 'eet.db'}"
    monkeypatch.setenv("EET_DATABASE_URL", url)
    engine = get_engine(url)
    initialise(engine)
    with session_scope(engine) as s:
        services.register_participant(s, SYSTEM, ParticipantIn(code="P-0001", referrer="Utrecht",
                                                               care_provider="Lister", referred_on=date(2021, 3, 1)))
        lister = Actor("test-lister", "coordinator", organisation_id=_org(s, "Lister"))
    at = page("pages/entry_participants.py", lister, lang="en")
    at.selectbox(key="zrm_code").select("P-0001")
    at.date_input(key="zrm_date").set_value(date(2021, 4, 1))
    submit(at, "zrm")  # no domain scored
    assert any("score at least one of the 13 domains" in e.value for e in at.error)
    at.selectbox(key="zrm_code").select("P-0001")
    at.date_input(key="zrm_date").set_value(date(2021, 2, 1))
    at.selectbox(key="zrm_housing").select(2)
    submit(at, "zrm")  # before the referral
    assert any("referral" in e.value and "2021\\-02\\-01" in e.value for e in at.error), [e.value for e in at.error]
    with Session(engine) as s:
        assert s.exec(select(Measurement)).all() == []
    at.date_input(key="zrm_date").set_value(date(2021, 4, 1))
    at.selectbox(key="zrm_housing").select(2)
    at.selectbox(key="zrm_justice").select(4)
    submit(at, "zrm")
    assert not at.error
    with Session(engine) as s:
        row = s.exec(select(Measurement)).one()
    assert (row.measured_on, row.housing, row.justice, row.finances, row.recorded_by) == (
        date(2021, 4, 1), 2, 4, None, "test-lister")
    table = next(df.value for df in at.dataframe if df.value.columns[0] == t("code", "en"))
    assert list(table[t("zrm_total", "en")]) == [6]


def test_cost_form_names_the_payer_and_range(tmp_path, monkeypatch, entry_script_every_run):
    from test_admin_pages import ADMIN, page as admin_page, refused, submit as admin_submit
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine

    url = f"sqlite:///{tmp_path / 'eet.db'}"
    monkeypatch.setenv("EET_DATABASE_URL", url)
    engine = get_engine(url)
    initialise(engine)
    at = admin_page("pages/registers.py", ADMIN)
    at.selectbox(key="cp_model").select("shelter")
    at.selectbox(key="cp_category").select("shelter")
    at.selectbox(key="cp_unit").select("per_participant_year")
    at.text_input(key="cp_label").input("Opvangplek")
    at.number_input(key="cp_amount_eur").set_value(30000.0)
    at.text_input(key="cp_source").input("Rekenmodel")
    at.date_input(key="cp_valid_from").set_value(date(2021, 1, 1))
    at.selectbox(key="cp_payer").select("gemeente")
    at.number_input(key="cp_low_eur").set_value(31000.0)  # above the amount
    admin_submit(at, "cost_parameter")
    refused(at, "cost_parameter", "low_eur")
    with Session(engine) as s:
        assert s.exec(select(CostParameter)).all() == []
    at.number_input(key="cp_low_eur").set_value(25000.0)
    at.number_input(key="cp_high_eur").set_value(36000.0)
    admin_submit(at, "cost_parameter")
    assert not at.error
    with Session(engine) as s:
        row = s.exec(select(CostParameter)).one()
    assert (row.payer, row.low_eur, row.amount_eur, row.high_eur) == ("gemeente", 25000, 30000, 36000)
