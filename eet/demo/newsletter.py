"""The demo data set: the coalition's dwellings as the January 2021 newsletter counted them (132 in
the counter, 45 in the pipeline on 15 January 2021), participants moving in, and simulated progress
up to 31 May 2021, so that the May review can be rehearsed.

Everything goes through the service layer, so the demo obeys the same rules as real data, and every
row is marked as demo. The numbers after the launch are simulated (seeded, so the same every time).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from eet.store import audit

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.accounts.auth import add_user
from eet.store.coalition import HEUVELRUG_JOINED, LAUNCH
from eet.store.models import Bottleneck, CostParameter, Decision, Factor, ReviewMeeting
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, StatusChangeIn
from eet.write import gate

DEMO_END = date(2021, 5, 31)
DEMO_PASSWORD = "demo"
# (username, role, organisation): shown on the sign-in page only while the data are demo data.
DEMO_ACCOUNTS = [
    ("beheerder", "admin", None),
    ("coordinator.utrecht", "coordinator", "Utrecht"),
    ("coordinator.mitros", "coordinator", "Mitros"),
    ("onderzoeker", "researcher", None),
    ("stuurgroep", "viewer", None),
]

# Municipality: (counter, pipeline) on 15 January 2021, corporations, care providers, prefix.
LAUNCH_DWELLINGS = {
    "Utrecht": (72, 23, ["Mitros", "Portaal"], ["Lister", "Leger des Heils", "Tussenvoorziening", "BijBram"], "UTR"),
    "Nieuwegein": (14, 4, ["Mitros", "Portaal"], ["Kwintes", "Leger des Heils"], "NWG"),
    "Zeist": (12, 4, ["Portaal"], ["Kwintes", "Lister"], "ZST"),
    "Houten": (9, 3, ["Viveste"], ["Kwintes", "BijBram"], "HTN"),
    "Woerden": (9, 3, ["GroenWest"], ["Kwintes", "Lister"], "WRD"),
    "Stichtse Vecht": (8, 4, ["Vecht en Omstreken"], ["Kwintes", "Leger des Heils"], "STV"),
    "Vijfheerenlanden": (8, 4, ["Viveste", "GroenWest"], ["Lister", "Kwintes"], "VHL"),
}
REFERRERS = [("Stadsteam Back Up", 50), ("Regionale Toegang", 12), ("Lister", 10),
             ("Leger des Heils", 10), ("Kwintes", 8), ("Tussenvoorziening", 6), ("BijBram", 4)]
WITHDRAWAL_REASONS = ["Kiest voor andere woonvorm", "Verhuisd buiten de regio", "Opname in zorginstelling",
                      "Geen contact meer", "Detentie"]


@dataclass(order=True)
class Action:
    on: date
    seq: int
    kind: str = field(compare=False)
    data: object = field(compare=False)


class _Plan:
    """Collects dated writes; they are applied in date order so every rule holds."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.actions: list[Action] = []
        self.participants = 0

    def add(self, on: date, kind: str, data) -> None:
        self.actions.append(Action(on, len(self.actions), kind, data))

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def new_code(self) -> str:
        self.participants += 1
        return f"P-{self.participants:04d}"


def load_demo(session: Session, seed: int = 2021) -> dict[str, int]:
    """Load the demo data set into a database that holds no real data. Returns counts."""
    session.info["demo"] = True
    plan = _Plan(seed)
    dwellings: list[tuple[DwellingIn, date | None]] = []  # (dwelling, date it becomes available)
    for municipality, (counter, pipeline, corporations, providers, prefix) in LAUNCH_DWELLINGS.items():
        for i in range(counter + pipeline):
            ref = f"{prefix}-{i + 1:04d}"
            route = "project" if i % 3 else "scattered"
            base = dict(ref=ref, municipality=municipality, corporation=plan.rng.choice(corporations),
                        care_provider=plan.rng.choice(providers),
                        site=f"{municipality} {'complex ' + chr(65 + i % 6) if route == 'project' else 'gespikkeld'}",
                        building_type=plan.rng.choice(["existing", "existing", "transformation", "new_build"]),
                        route=route)
            if i < counter:
                found = plan.day(date(2019, 3, 1), date(2020, 12, 20))
                plan.add(found, "dwelling", DwellingIn(**base, status="location_found", status_date=found))
                # A third were ready before the launch, most of the rest become ready by the end of May.
                ready = (plan.day(found + timedelta(days=20), date(2021, 1, 10)) if i % 3 == 0
                         else plan.day(date(2021, 1, 20), date(2021, 9, 30)))
                if ready <= DEMO_END and ready > found:
                    plan.add(ready, "status", StatusChangeIn(ref=ref, status="available", effective_on=ready))
                    dwellings.append((ready, ref))
            else:
                pledged = plan.day(date(2020, 9, 1), date(2021, 1, 14))
                plan.add(pledged, "dwelling", DwellingIn(**base, status="searching", status_date=pledged))
                if i % 5 == 0 and i < counter + 5:
                    gone = plan.day(date(2021, 3, 1), date(2021, 5, 20))
                    plan.add(gone, "status", StatusChangeIn(ref=ref, status="withdrawn", effective_on=gone))
                elif plan.rng.random() < 0.55:
                    found = plan.day(date(2021, 2, 1), date(2021, 5, 25))
                    plan.add(found, "status", StatusChangeIn(ref=ref, status="location_found", effective_on=found))
    # Utrechtse Heuvelrug joins just after the launch: large houses converted into small units.
    for i in range(8):
        found = plan.day(date(2021, 2, 1), date(2021, 3, 15))
        ref = f"UHR-{i + 1:04d}"
        plan.add(found, "dwelling", DwellingIn(
            ref=ref, municipality="Utrechtse Heuvelrug", corporation="Heuvelrug Wonen",
            care_provider="Kwintes", site="Utrechtse Heuvelrug, verbouwde villa", building_type="transformation",
            route="project", status="location_found", status_date=found,
            expected_date=date(2021, 9, 1)))
        if i < 4:
            ready = plan.day(date(2021, 4, 1), date(2021, 5, 10))
            plan.add(ready, "status", StatusChangeIn(ref=ref, status="available", effective_on=ready))
            dwellings.append((ready, ref))
    # New pledges after the launch, partners still searching.
    for i, municipality in enumerate(["Utrecht", "Zeist", "Nieuwegein", "Houten", "Utrecht", "Woerden"] * 2):
        prefix = LAUNCH_DWELLINGS[municipality][4]
        pledged = plan.day(date(2021, 2, 15), date(2021, 5, 25))
        plan.add(pledged, "dwelling", DwellingIn(
            ref=f"{prefix}-N{i + 1:03d}", municipality=municipality, status="searching", status_date=pledged,
            corporation=LAUNCH_DWELLINGS[municipality][2][0], building_type="new_build", route="project"))

    for ready, ref in sorted(dwellings):
        _plan_tenancies(plan, ref, ready)
    for _ in range(24):  # referred, still on the way, or not eligible, or withdrawn
        _plan_waiting(plan)

    counts = {"dwelling": 0, "status": 0, "participant": 0, "event": 0}
    for action in sorted(plan.actions):
        if action.kind == "dwelling":
            services.upsert_dwelling(session, SYSTEM, action.data, source="demo")
        elif action.kind == "status":
            services.change_dwelling_status(session, SYSTEM, action.data, source="demo")
        elif action.kind == "participant":
            services.register_participant(session, SYSTEM, action.data, source="demo")
        else:
            services.record_event(session, SYSTEM, action.data, source="demo")
        counts[action.kind] += 1
    _load_registers(session)
    counts["pledge"] = _load_pledges(session)
    # Issue 17: simulated ZRM measurements, from a generator of their own (the figures above stay).
    from eet.demo.zrm import load_measurements
    counts["measurement"] = load_measurements(session, DEMO_END)
    for username, role, org in DEMO_ACCOUNTS:
        add_user(session, SYSTEM, username, DEMO_PASSWORD, role, org, is_demo=True)
    return counts


def _municipality_of(ref: str) -> str:
    """The municipality of a demo dwelling, read from its ref's prefix (UTR-0001: Utrecht)."""
    prefixes = {row[4]: name for name, row in LAUNCH_DWELLINGS.items()} | {"UHR": "Utrechtse Heuvelrug"}
    return prefixes[ref.split("-", 1)[0]]


def _participant(plan: _Plan, referred: date, referrer: str | None = None,
                 municipality: str | None = None) -> str:
    """A participant referred on `referred`; `municipality`: the one they are housed in, so that its
    coordinator finds them among their own (issue 14). Chosen without the random generator, so the
    demo's figures stay as they were."""
    code = plan.new_code()
    names = [name for name, _ in REFERRERS]
    weights = [w for _, w in REFERRERS]
    plan.add(referred, "participant", ParticipantIn(
        code=code, referrer=referrer or plan.rng.choices(names, weights)[0],
        care_provider=plan.rng.choice(["Lister", "Leger des Heils", "Kwintes", "Tussenvoorziening", "BijBram"]),
        central_waiting_list=plan.rng.random() < 0.7, referred_on=referred, municipality=municipality,
        age_band=plan.rng.choice(["18-22", "23-29", "30-39", "30-39", "40-49", "50-64"])))
    return code


def _plan_tenancies(plan: _Plan, ref: str, ready: date) -> None:
    """One or two participants move into a dwelling that became available on `ready`."""
    free_from = ready
    for _ in range(2):
        matched = free_from + timedelta(days=plan.rng.randint(3, 30))
        if matched > DEMO_END:
            return
        referred = matched - timedelta(days=plan.rng.randint(45, 220))
        assessed = referred + timedelta(days=plan.rng.randint(10, 35))
        code = _participant(plan, referred, municipality=_municipality_of(ref))
        if plan.rng.random() < 0.08:  # first found not eligible, re-assessed later
            plan.add(assessed, "event", EventIn(code=code, event="assessed", date=assessed, outcome="not_eligible"))
            assessed = assessed + timedelta(days=plan.rng.randint(5, 20))
        assessed = min(assessed, matched - timedelta(days=1))
        plan.add(assessed, "event", EventIn(code=code, event="assessed", date=assessed, outcome="eligible"))
        plan.add(matched, "event", EventIn(code=code, event="matched", date=matched, dwelling_ref=ref))
        housed = matched + timedelta(days=plan.rng.randint(5, 25))
        if housed > DEMO_END:
            return
        plan.add(housed, "event", EventIn(code=code, event="housed", date=housed, dwelling_ref=ref))
        roll = plan.rng.random()
        if roll < 0.07:
            outcome, after = "negative", plan.rng.randint(60, 330)
        elif roll < 0.09:
            outcome, after = "positive", plan.rng.randint(200, 400)
        elif roll < 0.10:
            outcome, after = "deceased", plan.rng.randint(90, 300)
        else:
            return
        left = housed + timedelta(days=after)
        if left > DEMO_END:
            return
        plan.add(left, "event", EventIn(code=code, event="exited", date=left, outcome=outcome))
        free_from = left


def _plan_waiting(plan: _Plan) -> None:
    referred = plan.day(date(2020, 11, 1), date(2021, 5, 20))
    code = _participant(plan, referred)
    assessed = referred + timedelta(days=plan.rng.randint(10, 40))
    if assessed > DEMO_END:
        return
    eligible = plan.rng.random() < 0.8
    plan.add(assessed, "event", EventIn(code=code, event="assessed", date=assessed,
                                        outcome="eligible" if eligible else "not_eligible"))
    if plan.rng.random() < 0.3:
        gone = assessed + timedelta(days=plan.rng.randint(5, 60))
        if gone <= DEMO_END:
            plan.add(gone, "event", EventIn(code=code, event="withdrawn", date=gone,
                                            outcome=plan.rng.choice(WITHDRAWAL_REASONS)))


def _load_registers(session: Session) -> None:
    """Demo rows of the living lab's registers and of the May review."""
    rows = [
        Bottleneck(title="Wachttijd zorginhoudelijke beoordeling loopt op tot 6 weken", domain="support",
                   owner="Regionale Toegang", status="in_progress", raised_on=date(2021, 2, 10), is_demo=True),
        Bottleneck(title="Inschrijfduur woningzoekende blokkeert directe toewijzing", domain="housing",
                   owner="Het Vierde Huis", status="open", raised_on=date(2021, 1, 28), is_demo=True),
        Bottleneck(title="Kostendelersnorm bij woningdelen", domain="system", owner="Gemeente Utrecht",
                   status="open", raised_on=date(2021, 3, 4), is_demo=True),
        Bottleneck(title="Bezwaren omwonenden bij projectlocatie", domain="neighbourhood", owner="Mitros",
                   status="resolved", raised_on=date(2021, 2, 2), resolved_on=date(2021, 4, 20),
                   resolution="Buurtavond en vast aanspreekpunt", is_demo=True),
        Factor(domain="support", kind="success", description="Vaste begeleider vanaf de eerste dag",
               observed_on=date(2021, 3, 1), source="Interviews deelnemers", is_demo=True),
        Factor(domain="housing", kind="failure", description="Lange doorlooptijd transformatie",
               observed_on=date(2021, 4, 1), source="Coördinatorenoverleg", is_demo=True),
        Factor(domain="neighbourhood", kind="success", description="Kennismaking met buren voor de verhuizing",
               observed_on=date(2021, 4, 15), source="Wijkteams", is_demo=True),
        Factor(domain="support", kind="failure", description="Wisseling van begeleider in de eerste maanden",
               observed_on=date(2021, 5, 3), source="Interviews deelnemers", is_demo=True),
        # Issue 17: split by who pays and with a simulated range; named source, simulated. Shelter
        # 32,000 a year; Housing First 17,000 a year for everyone + 3,000 once, plus housing by
        # building type and Kwintes' intensive support for those they apply to (issue 29).
        *_demo_costs(session),
    ]
    def apply() -> None:
        meeting = ReviewMeeting(held_on=date(2021, 5, 27), title="Tussentijdse evaluatie mei 2021",
                                compare_with=LAUNCH, is_demo=True)
        session.add(meeting)
        session.flush()
        rows.extend([
            Decision(meeting_id=meeting.id, topic="location",
                     decision="Extra zoekinspanning voor 20 woningen in Zeist en Houten",
                     owner="Stuurgroep", due_on=date(2021, 9, 1), status="open", is_demo=True),
            Decision(meeting_id=meeting.id, topic="target_group", decision="Jongeren 18-23 als aparte instroomroute",
                     owner="Regionale Toegang", due_on=date(2021, 7, 1), status="in_progress", is_demo=True),
        ])
        for row in rows:
            session.add(row)
        session.flush()
        for row in [meeting, *rows]:
            audit.record(session, SYSTEM, "create", type(row).__tablename__, row.id, None, audit.snapshot(row), "demo")
    # The demo's registers, costs, meeting and decisions, as the programme itself enters them.
    gate.submit_one(session, SYSTEM, "demo", "registers", "programme", apply)
    assert HEUVELRUG_JOINED < date(2021, 2, 1)


# Issue 23: what each municipality pledged at the launch (Utrechtse Heuvelrug when it joined). By
# May 2021 most are ahead of the pace their pledge needs, Utrecht has realised it; Zeist and Houten
# are behind (together 20 dwellings short: the May decision "Extra zoekinspanning voor 20 woningen
# in Zeist en Houten"); the pledges add up to 196, short of the target of 200.
DEMO_PLEDGES = {"Houten": 20, "Nieuwegein": 18, "Stichtse Vecht": 12, "Utrecht": 90, "Vijfheerenlanden": 11,
                "Woerden": 12, "Zeist": 25, "Utrechtse Heuvelrug": 8}


def _load_pledges(session: Session) -> int:
    from eet.entry.pledges import PledgeIn, record_pledge

    for name, dwellings in DEMO_PLEDGES.items():
        valid_from = HEUVELRUG_JOINED if name == "Utrechtse Heuvelrug" else LAUNCH
        record_pledge(session, SYSTEM, PledgeIn(partner=name, dwellings=dwellings, valid_from=valid_from),
                      source="demo")
    return len(DEMO_PLEDGES)


# The labels and sources as a programme would type them; that they are simulated is said in the
# page's language by the pages (demo_banner, demo_costs_note), not in Dutch inside the data.
COST_SOURCE = "Rekenmodel Eerst een Thuis, mei 2021"
# (model, category, label, amount, unit, payer, low, high[, care provider, building type]):
# simulated amounts per participant; the last two say whom a cost applies to (None: everyone).
DEMO_COSTS = [
    ("housing_first", "support", "Ambulante woonbegeleiding Wmo", 11000, "per_participant_year",
     "gemeente", 8500, 14500),
    ("housing_first", "support", "GGZ-behandeling Zvw", 3000, "per_participant_year",
     "zorgverzekeraar", 1500, 5000),
    ("housing_first", "housing", "Huurtoeslag", 3000, "per_participant_year", "rijk", 2500, 3500),
    # Issue 29: housing costs by building type, and extra support by one care provider.
    ("housing_first", "housing", "Huurderving en woonbeheer bestaande bouw", 4500, "per_participant_year",
     "woningcorporatie", 2500, 7000, None, "existing"),
    ("housing_first", "housing", "Huurderving en woonbeheer transformatie", 6000, "per_participant_year",
     "woningcorporatie", 4000, 8500, None, "transformation"),
    ("housing_first", "housing", "Huurderving en woonbeheer nieuwbouw", 3000, "per_participant_year",
     "woningcorporatie", 2000, 4500, None, "new_build"),
    ("housing_first", "support", "Intensieve begeleiding, 24 uur bereikbaar", 4000, "per_participant_year",
     "gemeente", 2500, 6000, "Kwintes", None),
    ("housing_first", "one_off", "Inrichting", 3000, "one_off_per_participant", "gemeente",
     2000, 4500),
    ("shelter", "shelter", "Opvangplek maatschappelijke opvang", 24000, "per_participant_year",
     "gemeente", 19000, 30000),
    ("shelter", "shelter", "GGZ en verslavingszorg in de opvang", 5000, "per_participant_year",
     "zorgverzekeraar", 3000, 7000),
    ("shelter", "shelter", "Uitkering en toeslagen in de opvang", 3000, "per_participant_year",
     "rijk", 2500, 3500),
]


def _demo_costs(session: Session) -> list[CostParameter]:
    from eet.entry.organisations import names

    ids = {name: id_ for id_, name in names(session).items()}
    return [CostParameter(model=model, category=category, label=label, amount_eur=amount, unit=unit,
                          source=COST_SOURCE, valid_from=date(2021, 1, 1), payer=payer, low_eur=low,
                          high_eur=high, care_provider_id=ids[provider] if provider else None,
                          building_type=building, is_demo=True)
            for model, category, label, amount, unit, payer, low, high, provider, building
            in (row + (None, None) if len(row) == 8 else row for row in DEMO_COSTS)]
