"""For whom is Housing First cheaper (issue 29): the business case per group of participants (care
provider, building type), with cost parameters that apply to one group only. On a history worked by
hand (both backends), against an independent per-person computation on the demo and a synthetic
history, through the form, the import and the research page; a viewer reads no count."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from eet.accounts.access import SYSTEM, Actor
from eet.demo.synth import synthesise
from eet.entry.living_lab import cost_parameters as editable_costs
from eet.entry.living_lab import save_cost_parameter
from eet.entry.schemas import RuleError
from eet.figures import business_case as bc
from eet.figures import group_costs
from eet.figures.groups import OTHER
from eet.figures.report import build_report
from eet.store import get_engine
from eet.store.models import CostParameter, Organisation
from eet.texts import t
from import_helpers import run_cli, write_csv
from tests.test_groups import AS_OF, START, history, person  # noqa: F401  (the fixture)

VIEWER, RESEARCHER = Actor("stuurgroep", "viewer"), Actor("onderzoeker", "researcher")


def cost(session, category, label, amount, *, model="housing_first", unit="per_participant_year",
         care_provider=None, building_type=None, payer=None):
    return save_cost_parameter(session, SYSTEM, dict(
        model=model, category=category, label=label, amount_eur=amount, unit=unit, source="test",
        valid_from=START, payer=payer, care_provider=care_provider, building_type=building_type))


def _years(session) -> dict[str, float]:
    """Per participant code the years lived up to AS_OF, counted here from the history's dates."""
    days, _ = bc.days_each(session, AS_OF)
    from eet.figures.timeline import timeline_of

    ids = timeline_of(session).participants.id
    from eet.store.models import Participant

    codes = dict(session.execute(select(Participant.id, Participant.code)).all())
    return {codes[int(i)]: d / bc.DAYS_PER_YEAR for i, d in zip(ids, days)}


@pytest.fixture
def costed(history):  # noqa: F811
    """The eight people of tests/test_groups.py (Kwintes: P-0..P-3 in existing dwellings; Lister:
    P-4..P-7 in new builds), with 10,000 of support for all, 5,000 more for Kwintes' participants,
    rent loss 3,000 in existing and 1,000 in new builds, 2,000 once, a shelter of 30,000."""
    cost(history, "support", "Begeleiding", 10000, payer="gemeente")
    cost(history, "support", "Intensief Kwintes", 5000, care_provider="Kwintes", payer="gemeente")
    cost(history, "housing", "Huurderving bestaand", 3000, building_type="existing", payer="woningcorporatie")
    cost(history, "housing", "Huurderving nieuwbouw", 1000, building_type="new_build", payer="woningcorporatie")
    cost(history, "one_off", "Inrichting", 2000, unit="one_off_per_participant")
    cost(history, "shelter", "Opvang", 30000, model="shelter")
    history.commit()
    return history


def test_per_care_provider_and_building_type_worked_by_hand(costed):
    # Kwintes' participants live in existing dwellings, Lister's in new builds: per participant-year
    # Kwintes 10,000 + 5,000 + 3,000, Lister 10,000 + 1,000, each plus 2,000 once a person over the
    # group's years lived.
    years = _years(costed)
    kwintes = sum(years[f"P-{i}"] for i in range(4))
    lister = sum(years[f"P-{i}"] for i in range(4, 8))
    by_provider = {g.key: g for g in group_costs.costs_by(costed, AS_OF, "care_provider").groups}
    assert by_provider["Kwintes"].housing_first == pytest.approx(18000 + 4 * 2000 / kwintes)
    assert by_provider["Lister"].housing_first == pytest.approx(11000 + 4 * 2000 / lister)
    assert by_provider["Kwintes"].participant_years == pytest.approx(kwintes)
    assert (by_provider["Kwintes"].housed, by_provider["Lister"].housed) == (4, 4)
    assert by_provider["Kwintes"].difference == pytest.approx(30000 - 18000 - 4 * 2000 / kwintes)
    assert (by_provider["Kwintes"].own_parameters, by_provider["Lister"].own_parameters) == (1, 0)
    by_type = {g.key: g.housing_first for g in group_costs.costs_by(costed, AS_OF, "building_type").groups}
    assert by_type == pytest.approx({"existing": by_provider["Kwintes"].housing_first,
                                     "new_build": by_provider["Lister"].housing_first})
    # The whole: each group's parameter counts for its share of the participant-years.
    case = bc.business_case(costed, AS_OF)
    share = kwintes / (kwintes + lister)
    assert case.hf_recurring == pytest.approx(10000 + 5000 * share + 3000 * share + 1000 * (1 - share))
    assert case.housing_first == pytest.approx(case.hf_recurring + 8 * 2000 / (kwintes + lister))


def test_the_groups_weighted_by_participant_years_are_the_whole_business_case(costed):
    case = bc.business_case(costed, AS_OF)
    for by in group_costs.COST_GROUPINGS:
        shown = group_costs.costs_by(costed, AS_OF, by).groups
        weighted = sum(g.participant_years * g.housing_first for g in shown) / sum(g.participant_years for g in shown)
        assert weighted == pytest.approx(case.housing_first)
        assert {g.shelter for g in shown} == {30000}


def test_per_payer_and_sensitivity_count_a_group_parameter_for_its_share(costed):
    case = bc.business_case(costed, AS_OF)
    lines = {line.payer: line for line in bc.per_payer(case)}
    years = _years(costed)
    share = sum(years[f"P-{i}"] for i in range(4)) / sum(years.values())
    assert lines["gemeente"].housing_first == pytest.approx(10000 + 5000 * share)
    assert lines["woningcorporatie"].housing_first == pytest.approx(3000 * share + 1000 * (1 - share))
    # The payers add up to the total, as before (the one-off 2,000 under "other").
    assert sum(x.housing_first for p, x in lines.items() if p != "total") == pytest.approx(case.housing_first)


def test_a_group_parameter_must_fit_its_category_and_name_a_care_provider(costed):
    with pytest.raises(RuleError) as refused:
        cost(costed, "housing", "Huur Kwintes", 100, care_provider="Kwintes")
    assert [e.field for e in refused.value.errors] == ["care_provider"]
    with pytest.raises(RuleError) as refused:
        cost(costed, "support", "Begeleiding nieuwbouw", 100, building_type="new_build")
    assert [e.field for e in refused.value.errors] == ["building_type"]
    with pytest.raises(RuleError) as refused:
        cost(costed, "support", "Begeleiding Mitros", 100, care_provider="Gemeente Nergens")
    assert [e.field for e in refused.value.errors] == ["care_provider"]


def test_a_changed_scope_is_a_new_version_and_the_meeting_before_it_keeps_its_figures(costed):
    before = group_costs.costs_by(costed, AS_OF, "care_provider")
    row = next(r for r in editable_costs(costed, Actor("a", "admin")) if r["label"] == "Intensief Kwintes")
    assert row["care_provider"] == "Kwintes"
    from eet.figures.query import as_known_at
    from eet.store.models import utcnow

    moment = utcnow()
    save_cost_parameter(costed, SYSTEM, {**{k: row[k] for k in ("model", "category", "label", "amount_eur", "unit",
                                                                 "source", "valid_from", "payer")},
                                         "care_provider": "Lister"}, row["id"])
    costed.commit()
    after = {g.key: g.housing_first for g in group_costs.costs_by(costed, AS_OF, "care_provider").groups}
    assert after["Lister"] > after["Kwintes"]
    with as_known_at(costed, moment):
        then = group_costs.costs_by(costed, AS_OF, "care_provider")
    assert then == before


def test_a_viewer_sees_no_grouping_of_small_groups(costed):
    # Four housed per care provider: each alone a small count, and no group left to show beside
    # their combination (disclosure rule 7: the grouping is withheld).
    shown = group_costs.costs_for(costed, VIEWER, AS_OF, "care_provider")
    assert shown.withheld and shown.groups == []
    exact = group_costs.costs_for(costed, RESEARCHER, AS_OF, "care_provider")
    assert [g.key for g in exact.groups] == ["Kwintes", "Lister"]


def _by_person(session, as_of: date, by: str) -> dict:
    """The business case per group counted person by person with pandas from the rows themselves:
    each person's years from their own move-ins and exits, the parameters that apply to them, the
    group from their care provider or their first dwelling's building type."""
    from sqlalchemy import text

    events = pd.read_sql(text("SELECT e.participant_id, e.kind, e.occurred_on, e.dwelling_id, e.id FROM participant_event e "
                              "WHERE e.voided_at IS NULL AND e.kind IN ('housed', 'exited')"), session.connection())
    events["occurred_on"] = pd.to_datetime(events["occurred_on"]).dt.date
    events = events[events.occurred_on <= as_of].sort_values(["participant_id", "occurred_on", "id"])
    people = pd.read_sql(text("SELECT id, care_provider_id FROM participant"), session.connection()).set_index("id")
    buildings = pd.read_sql(text("SELECT id, building_type FROM dwelling"), session.connection()).set_index("id")
    costs = bc.cost_parameters(session, as_of)
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    rows = []
    for pid, own in events.groupby("participant_id"):
        ins, outs = own[own.kind == "housed"], own[own.kind == "exited"]
        if ins.empty:
            continue
        first, last_in = ins.occurred_on.iloc[0], ins.occurred_on.iloc[-1]
        end = outs.occurred_on.iloc[-1] if not outs.empty and outs.occurred_on.iloc[-1] >= last_in else as_of
        provider = people.care_provider_id.get(pid)
        provider = None if pd.isna(provider) else int(provider)
        building = buildings.building_type.get(ins.dwelling_id.iloc[0])
        applies = [p for p in costs if p["model"] == "housing_first"
                   and (p["care_provider_id"] is None or p["care_provider_id"] == provider)
                   and (p["building_type"] is None or p["building_type"] == building)]
        rows.append({"group": names.get(provider) if by == "care_provider" else building,
                     "years": (end - first).days / bc.DAYS_PER_YEAR,
                     "yearly": sum(p["amount_eur"] for p in applies if p["unit"] == "per_participant_year"),
                     "once": sum(p["amount_eur"] for p in applies if p["unit"] == "one_off_per_participant")})
    frame = pd.DataFrame(rows)
    out = {}
    for group, part in frame.groupby("group", dropna=False):
        lived = part.years.sum()
        out[None if pd.isna(group) else group] = ((part.years * part.yearly).sum() + part.once.sum()) / lived
    return out


@pytest.mark.parametrize("as_of", [date(2021, 3, 1), date(2021, 5, 31), date(2022, 3, 1)])
def test_the_demo_per_group_is_the_per_person_count(demo_url, as_of):
    with Session(get_engine(demo_url)) as s:
        scoped = s.exec(select(CostParameter).where(CostParameter.voided_at.is_(None))).all()
        assert any(p.care_provider_id for p in scoped) and any(p.building_type for p in scoped)
        for by in group_costs.COST_GROUPINGS:
            ours = {g.key: g.housing_first for g in group_costs.costs_by(s, as_of, by).groups}
            assert ours == pytest.approx(_by_person(s, as_of, by)), by


def test_a_synthetic_history_per_group_is_the_per_person_count(engine):
    synthesise(engine, participants=600, seed=29, end=date(2022, 12, 31))
    with Session(engine) as s:
        cost(s, "support", "Begeleiding", 12000)
        providers = s.exec(select(Organisation.name).where(Organisation.kind == "care_provider")).all()
        for i, name in enumerate(sorted(providers)[:3]):
            cost(s, "support", f"Extra {name}", 1000 * (i + 1), care_provider=name)
        cost(s, "housing", "Huur transformatie", 2500, building_type="transformation")
        cost(s, "one_off", "Inrichting", 3000, unit="one_off_per_participant")
        cost(s, "shelter", "Opvang", 30000, model="shelter")
        s.commit()
        day = date(2022, 6, 30)
        case = bc.business_case(s, day)
        for by in group_costs.COST_GROUPINGS:
            shown = group_costs.costs_by(s, day, by).groups
            assert {g.key: g.housing_first for g in shown} == pytest.approx(_by_person(s, day, by)), by
            assert (sum(g.participant_years * g.housing_first for g in shown) / sum(g.participant_years for g in shown)
                    == pytest.approx(case.housing_first))
            # A viewer: every group of five or more housed, the small ones combined and counted as one.
            viewer = group_costs.costs_for(s, VIEWER, day, by)
            assert viewer.groups and all(g.housed >= 5 for g in viewer.groups)
            assert sum(g.housed for g in viewer.groups) == sum(g.housed for g in shown)
            combined = [g for g in viewer.groups if g.key == OTHER]
            if combined:
                members = [g for g in shown if g.key in combined[0].members]
                assert combined[0].housing_first == pytest.approx(
                    sum(g.participant_years * g.housing_first for g in members) / sum(g.participant_years for g in members))


def test_the_import_takes_whom_a_cost_applies_to_and_names_a_wrong_one(engine, tmp_path, monkeypatch, capsys):
    from import_helpers import load_base

    load_base(engine, tmp_path)
    head = ["model", "categorie", "omschrijving", "bedrag", "eenheid", "bron", "geldig_vanaf", "zorgaanbieder", "bouwtype"]
    path = write_csv(tmp_path / "kosten.csv", [
        head, ["housing_first", "support", "Extra Lister", "3000", "per_participant_year", "Rekenmodel", "2021-01-01",
               "lister", ""],
        ["housing_first", "housing", "Huur nieuwbouw", "1500", "per_participant_year", "Rekenmodel", "2021-01-01",
         "", "Nieuwbouw"]])
    code, out, _ = run_cli(monkeypatch, capsys, engine, "costs", str(path))
    assert code == 0 and "created 2 costs" in out
    code, out, _ = run_cli(monkeypatch, capsys, engine, "costs", str(path))
    assert code == 0 and "2 unchanged" in out
    with Session(engine) as s:
        rows = {r.label: r for r in s.exec(select(CostParameter))}
        lister = s.exec(select(Organisation.id).where(Organisation.name == "Lister")).one()
    assert (rows["Extra Lister"].care_provider_id, rows["Huur nieuwbouw"].building_type) == (lister, "new_build")
    bad = write_csv(tmp_path / "fout.csv", [
        head, ["housing_first", "support", "Extra", "3000", "per_participant_year", "Rekenmodel", "2021-01-01",
               "Mitros", ""],
        ["housing_first", "support", "Extra 2", "3000", "per_participant_year", "Rekenmodel", "2021-01-01",
         "", "nieuwbouw"]])
    code, out, err = run_cli(monkeypatch, capsys, engine, "costs", str(bad))
    assert code == 1
    assert "row 2, column zorgaanbieder" in out + err and "row 3, column bouwtype" in out + err


def test_the_report_gives_the_groups_beside_the_payers(demo_url):
    with Session(get_engine(demo_url)) as s:
        report = build_report(s, date(2021, 5, 31))
        groups = report["business_case"]["per_group"]
        assert set(groups) == {"care_provider", "building_type"}
        ours = {g.key: g.housing_first for g in group_costs.costs_by(s, date(2021, 5, 31), "building_type").groups}
    assert {k: v["housing_first"] for k, v in groups["building_type"].items()} == pytest.approx(ours)
    assert all(v["difference"] == pytest.approx(v["shelter"] - v["housing_first"]) for v in groups["care_provider"].values())


@pytest.mark.usefixtures("entry_script_every_run")
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_research_page_shows_the_business_case_per_group(demo_url, lang):
    from pathlib import Path

    from eet.texts import formatting as fmt

    day = date(2021, 5, 31)
    for actor, counts in ((RESEARCHER, True), (VIEWER, False)):
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
        at.session_state["actor"] = actor
        at.query_params["as_of"] = day.isoformat()
        at.query_params["lang"] = lang
        at.run()
        at.switch_page("pages/research.py").run()
        assert not at.exception, [e.message for e in at.exception]
        assert t("bc_per_group", lang) in [h.value for h in at.subheader]
        table = next(df.value for df in at.dataframe
                     if df.value.columns[0] == t("group_column", lang) and t("housing_first", lang) in df.value.columns)
        with Session(get_engine(demo_url)) as s:
            shown = group_costs.costs_for(s, actor, day, "care_provider").groups
        assert list(table[t("housing_first", lang)]) == [fmt.euro(g.housing_first, lang) for g in shown]
        assert (t("col_housed_n", lang) in table.columns) is counts
        at.selectbox(key="bc_group_by").set_value("building_type").run()
        assert not at.exception
        table = next(df.value for df in at.dataframe
                     if df.value.columns[0] == t("group_column", lang) and t("housing_first", lang) in df.value.columns)
        assert t("bc_participant_years", lang) not in table.columns or counts
        assert len(table) == 3  # existing, transformation, new build: 13 to 43 people each
