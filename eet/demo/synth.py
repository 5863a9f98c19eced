"""Synthetic histories of any size, for benchmarks and tests: `python -m eet synth`.

The histories obey the rules of the service layer (spec/interfaces.md, events) but are written in
bulk with SQLAlchemy Core, because 100,000 participants through the per-row services would take
hours. tests/test_synth.py replays them through the services to prove they pass the same rules.

How the plan is made, all from one seeded random generator (same seed and end date, same rows):
- dwellings are pledged over the window, some search first, some are withdrawn, the rest get a
  location and become available;
- participants are referred, assessed (some not eligible, some of those re-assessed), and the
  eligible wait for a dwelling; two queues ordered by date (seekers, free dwellings) pair them, so a
  dwelling holds one participant at a time and every step follows the one before it;
- tenancies end in a positive, negative or deceased exit or last past the end; some after a
  negative exit look for a new dwelling; withdrawals happen only before a first move-in.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from eet.store import audit
from eet.accounts.access import SYSTEM
from eet.store.coalition import REFERRAL_ORGANISATIONS
from eet.write.guard import maintenance
from eet.write.versions import add_first_versions
from eet.store.models import (
    AGE_BANDS, Dwelling, DwellingStatusChange, Organisation, Participant, ParticipantEvent, utcnow,
)
from eet.store.contents import has_real_data

PREFIX = "SYN-"
WINDOW_DAYS = 6 * 365
CHUNK = 10_000
WITHDRAWAL_REASONS = ["Kiest voor andere woonvorm", "Verhuisd buiten de regio", "Geen contact meer",
                      "Opname in zorginstelling", "Wachttijd te lang"]
# Mean days to each kind of exit (competing risks): about 10% leave negatively in the first year.
EXIT_MEAN_DAYS = {"negative": 3400, "positive": 1800, "deceased": 25000}


class SynthRefused(RuntimeError):
    """The database holds real data, or synthetic data already: synth needs one without."""


@dataclass
class _Rows:
    dwellings: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    participants: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


def synthesise(engine: Engine, participants: int, seed: int, dwellings: int | None = None,
               end: date | None = None) -> dict[str, int]:
    """Load synthetic histories into an initialised database without real data; one transaction,
    one data version bump, one audit record. `end` (default yesterday) is the last date used."""
    if participants < 0 or (dwellings is not None and dwellings < 0):
        raise ValueError("participants and dwellings must not be negative")
    end = end or date.today() - timedelta(days=1)
    with Session(engine) as session:
        if has_real_data(session):
            raise SynthRefused("the database holds real (non-demo) data; synthetic data are loaded "
                               "only into a database without it")
        if session.execute(select(Dwelling.id).where(Dwelling.ref.startswith(PREFIX)).limit(1)).first() \
                or session.execute(select(Participant.id).where(
                    Participant.code.startswith(PREFIX)).limit(1)).first():
            raise SynthRefused("the database holds synthetic data already; use a fresh database")
        orgs = session.execute(select(Organisation.id, Organisation.name, Organisation.kind)
                               .order_by(Organisation.id)).all()
        conn = session.connection()
        plan = _Planner(orgs, random.Random(seed), end, _next_ids(conn))
        rows = plan.make(participants, participants // 2 if dwellings is None else dwellings)
        with maintenance("a synthetic history in bulk"):
            for table, batch in ((Dwelling, rows.dwellings), (Participant, rows.participants),
                                 (ParticipantEvent, rows.events), (DwellingStatusChange, rows.changes)):
                _insert(conn, table.__table__, batch)
            add_first_versions(conn)
        if conn.dialect.name == "postgresql":
            _sync_sequences(conn)
        counts = {"dwellings": len(rows.dwellings), "status changes": len(rows.changes),
                  "participants": len(rows.participants), "events": len(rows.events)}
        audit.record(session, SYSTEM, "create", "synth", None, None,
                     {"seed": seed, "end": end.isoformat(), **counts}, "synth")
        session.commit()
    return counts


def _next_ids(conn: Connection) -> dict[str, int]:
    # Explicit keys let events and status changes refer to rows not yet written.
    return {t.__tablename__: (conn.execute(select(func.max(t.__table__.c.id))).scalar() or 0) + 1
            for t in (Dwelling, DwellingStatusChange, Participant, ParticipantEvent)}


def _insert(conn: Connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start:start + CHUNK])


def _sync_sequences(conn: Connection) -> None:
    # Rows written with explicit ids leave PostgreSQL's sequences behind; later inserts need them on.
    for t in (Dwelling, DwellingStatusChange, Participant, ParticipantEvent):
        name = t.__tablename__
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                          f"COALESCE((SELECT MAX(id) FROM {name}), 1))"))


class _Planner:
    def __init__(self, orgs, rng: random.Random, end: date, next_ids: dict[str, int]):
        self.rng, self.end, self.ids = rng, end, next_ids
        self.start = end - timedelta(days=WINDOW_DAYS)
        by_kind: dict[str, list[int]] = {}
        for org_id, name, kind in orgs:
            by_kind.setdefault(kind, []).append(org_id)
        self.municipalities = by_kind.get("municipality", [])
        self.corporations = by_kind.get("housing_corporation", [])
        self.providers = by_kind.get("care_provider", [])
        referral = [org_id for org_id, name, _ in orgs if name in REFERRAL_ORGANISATIONS]
        # The referral organisations refer most participants, care providers and municipalities some.
        self.referrers = referral * 6 + self.providers * 2 + self.municipalities
        if not self.municipalities or not self.referrers:
            raise SynthRefused("the coalition is missing; run `python -m eet init` first")
        self.now = utcnow()
        self.rows = _Rows()

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _day(self, after: date, low: int, high: int) -> date:
        return after + timedelta(days=self.rng.randint(low, high))

    def make(self, participants: int, dwellings: int) -> _Rows:
        free: list[tuple[date, int]] = []  # (free from, dwelling id)
        for n in range(dwellings):
            ready = self._dwelling(n)
            if ready is not None:
                heapq.heappush(free, (ready, self.rows.dwellings[-1]["id"]))
        seekers: list[tuple[date, int, bool]] = []  # (looking from, participant id, housed before)
        for n in range(participants):
            looking = self._participant(n)
            if looking is not None:
                heapq.heappush(seekers, (looking, self.rows.participants[-1]["id"], False))
        municipality_of = {d["id"]: d["municipality_id"] for d in self.rows.dwellings}
        participant_by_id = {p["id"]: p for p in self.rows.participants}
        while seekers:
            looking, pid, housed_before = heapq.heappop(seekers)
            again = self._seek(free, looking, pid, housed_before)
            if again is not None:
                heapq.heappush(seekers, (again, pid, True))
        for event in self.rows.events:  # housing is sought where the first dwelling is
            person = participant_by_id[event["participant_id"]]
            if event["kind"] == "matched" and person["municipality_id"] is None:
                person["municipality_id"] = municipality_of[event["dwelling_id"]]
        for person in self.rows.participants:
            if person["municipality_id"] is None and self.rng.random() < 0.7:
                person["municipality_id"] = self.rng.choice(self.municipalities)
        return self.rows

    # --- dwellings ---------------------------------------------------------------------------

    def _dwelling(self, n: int) -> date | None:
        """One dwelling and its status changes before any tenancy; the date it is available."""
        rng, dwelling_id = self.rng, self._id("dwelling")
        route = "project" if rng.random() < 0.6 else "scattered"
        municipality = rng.choice(self.municipalities)
        self.rows.dwellings.append({
            "id": dwelling_id, "ref": f"{PREFIX}W{n + 1:06d}", "municipality_id": municipality,
            "corporation_id": rng.choice(self.corporations) if self.corporations else None,
            "care_provider_id": rng.choice(self.providers) if self.providers else None,
            "site": f"Complex {rng.randint(1, 40)}" if route == "project" else "Gespikkeld",
            "building_type": rng.choice(("existing", "existing", "transformation", "new_build")),
            "route": route, "expected_date": None, "is_demo": True, "version": 1, "created_at": self.now,
        })
        first = self._day(self.start, 0, int(WINDOW_DAYS * 0.95))
        if rng.random() < 0.6:
            self._change(dwelling_id, "searching", first)
            if rng.random() < 0.08:
                self._change(dwelling_id, "withdrawn", self._day(first, 20, 300))
                return None
            # Most partners find a location within months, some search for years.
            found = self._day(first, 30, 240) if rng.random() < 0.8 else self._day(first, 240, 1100)
        else:
            found = first
        self._change(dwelling_id, "location_found", found)
        available = self._day(found, 20, 180)
        self._change(dwelling_id, "available", available)
        return available if available <= self.end else None

    def _change(self, dwelling_id: int, status: str, on: date, event_id: int | None = None) -> None:
        if on <= self.end:
            self.rows.changes.append({
                "id": self._id("dwelling_status_change"), "dwelling_id": dwelling_id, "status": status,
                "effective_on": on, "event_id": event_id, "recorded_at": self.now, "recorded_by": "synth"})

    # --- participants ------------------------------------------------------------------------

    def _participant(self, n: int) -> date | None:
        """One participant, referral and assessments; the date they start looking for a dwelling."""
        rng, pid = self.rng, self._id("participant")
        referred = self._day(self.start, 0, WINDOW_DAYS)
        self.rows.participants.append({
            "id": pid, "code": f"{PREFIX}{n + 1:06d}", "referrer_id": rng.choice(self.referrers),
            "care_provider_id": rng.choice(self.providers) if self.providers else None,
            "municipality_id": None, "central_waiting_list": rng.random() < 0.7, "referred_on": referred,
            "age_band": rng.choice(AGE_BANDS), "is_demo": True, "version": 1, "created_at": self.now,
        })
        assessed = self._day(referred, 7, 60)
        if not self._event(pid, "assessed", assessed, "eligible" if rng.random() < 0.82 else "not_eligible"):
            return None
        if self.rows.events[-1]["outcome"] == "not_eligible":
            if rng.random() >= 0.4:
                return None
            assessed = self._day(assessed, 30, 240)  # re-assessed, now eligible
            if not self._event(pid, "assessed", assessed, "eligible"):
                return None
        if rng.random() < 0.08:
            self._event(pid, "withdrawn", self._day(assessed, 5, 120), rng.choice(WITHDRAWAL_REASONS))
            return None
        return self._day(assessed, 1, 30)

    def _event(self, pid: int, kind: str, on: date, outcome: str | None = None,
               dwelling_id: int | None = None) -> int | None:
        """Append an event when it lies within the window; its id, or None."""
        if on > self.end:
            return None
        event_id = self._id("participant_event")
        self.rows.events.append({
            "id": event_id, "participant_id": pid, "kind": kind, "occurred_on": on, "outcome": outcome,
            "dwelling_id": dwelling_id, "note": None, "recorded_at": self.now, "recorded_by": "synth"})
        return event_id

    def _seek(self, free: list, looking: date, pid: int, housed_before: bool) -> date | None:
        """Pair a seeker with the dwelling free soonest: match, move in, maybe leave. Returns the
        date they look again (after a negative exit), or None."""
        rng = self.rng
        if not free or max(looking, free[0][0]) > self.end:
            if not housed_before and rng.random() < 0.2:
                self._event(pid, "withdrawn", self._day(looking, 60, 365), rng.choice(WITHDRAWAL_REASONS))
            return None
        ready, dwelling_id = heapq.heappop(free)
        matched = max(looking, ready) + timedelta(days=rng.randint(0, 14))
        if not housed_before and (matched - looking).days > 365 and rng.random() < 0.25:
            self._event(pid, "withdrawn", self._day(looking, 90, 365), rng.choice(WITHDRAWAL_REASONS))
            heapq.heappush(free, (ready, dwelling_id))
            return None
        if self._event(pid, "matched", matched, None, dwelling_id) is None:
            heapq.heappush(free, (ready, dwelling_id))
            return None
        if not housed_before and rng.random() < 0.04:  # withdraws after the match, before moving in
            self._event(pid, "withdrawn", self._day(matched, 1, 20), rng.choice(WITHDRAWAL_REASONS))
            heapq.heappush(free, (matched + timedelta(days=1), dwelling_id))
            return None
        housed_id = self._event(pid, "housed", self._day(matched, 3, 40), None, dwelling_id)
        if housed_id is None:
            return None  # still moving in at the end: the dwelling stays reserved
        housed = self.rows.events[-1]["occurred_on"]
        self._change(dwelling_id, "occupied", housed, housed_id)
        outcome, days = min(((kind, max(1, int(rng.expovariate(1 / mean))))
                             for kind, mean in EXIT_MEAN_DAYS.items()), key=lambda pair: pair[1])
        left = housed + timedelta(days=days)
        exit_id = self._event(pid, "exited", left, outcome)
        if exit_id is None:
            return None
        self._change(dwelling_id, "available", left, exit_id)
        heapq.heappush(free, (self._day(left, 7, 60), dwelling_id))
        if outcome == "negative" and rng.random() < 0.3:
            return self._day(left, 30, 180)
        return None
