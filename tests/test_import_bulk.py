"""The import decides every row against its write cache and writes the file in bulk: the rows, their
links and their audit records must be those the services write for the same input one by one
(a form's way), on both backends."""

from __future__ import annotations

import json

from sqlalchemy import func
from sqlmodel import select
from sqlmodel import Session

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.entry.imports import import_file
from eet.store.models import AuditRecord, Dwelling, DwellingStatusChange, Participant, ParticipantEvent
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn
from eet.entry.writecache import cached_writes
from import_helpers import BASE_DWELLINGS, BASE_EVENTS, BASE_PARTICIPANTS, write_csv
from test_import_properties import _reset
from eet.write import gate

D_HEAD = ["ref", "municipality", "corporation", "site", "status", "status_date"]
# Details and statuses change a month later; P-0001 leaves UTR-0001 and P-0002 moves in.
LATER_DWELLINGS = [D_HEAD, ["UTR-0001", "Utrecht", "Mitros", "Blok A", "occupied", "2021-03-01"],
                   ["UTR-0002", "Utrecht", "Portaal", "", "occupied", "2021-04-01"],
                   ["ZST-0001", "Zeist", "", "", "location_found", "2021-04-01"]]
LATER_PARTICIPANTS = [["code", "referrer", "care_provider", "referred_on"],
                      ["P-0002", "Regionale Toegang", "Lister", "2021-01-25"]]
LATER_EVENTS = [["code", "event", "date", "outcome", "dwelling_ref"],
                ["P-0001", "exited", "2021-05-01", "positive", ""],
                ["P-0002", "matched", "2021-05-10", "", "UTR-0001"],
                ["P-0002", "housed", "2021-05-20", "", "UTR-0001"]]
FILES = [("dwellings", BASE_DWELLINGS), ("participants", BASE_PARTICIPANTS), ("events", BASE_EVENTS),
         ("dwellings", LATER_DWELLINGS), ("participants", LATER_PARTICIPANTS), ("events", LATER_EVENTS)]
MODELS = {"dwellings": DwellingIn, "participants": ParticipantIn, "events": EventIn}
WRITE = {"dwellings": services.upsert_dwelling, "participants": services.register_participant,
         "events": services.record_event}
MOMENTS = {"created_at", "recorded_at", "at"}


def _rows(rows: list[list]) -> list[dict]:
    head = rows[0]
    return [{k: v for k, v in zip(head, row) if v != ""} for row in rows[1:]]


def _picture(engine) -> dict:
    """Every row of the data tables and the audit trail, by natural keys instead of ids."""
    with Session(engine) as s:
        refs = dict(s.execute(select(Dwelling.id, Dwelling.ref)).all())
        codes = dict(s.execute(select(Participant.id, Participant.code)).all())
        events = {e.id: e for e in s.exec(select(ParticipantEvent))}

        def event_key(event_id):
            e = events.get(event_id)
            return None if e is None else (codes[e.participant_id], e.kind, e.occurred_on.isoformat())

        def plain(values: dict) -> dict:
            out = {k: v for k, v in values.items() if k not in MOMENTS | {"id"}}
            for key, names in (("dwelling_id", refs), ("participant_id", codes)):
                if out.get(key) is not None:
                    out[key] = names[out[key]]
            if "event_id" in out:
                out["event_id"] = event_key(out["event_id"])
            return out

        entity_key = {"dwelling": refs.get, "participant": codes.get, "participant_event": event_key}
        changes = {c.id: c for c in s.exec(select(DwellingStatusChange))}
        entity_key["dwelling_status_change"] = lambda i: (refs[changes[i].dwelling_id], changes[i].status,
                                                          changes[i].effective_on.isoformat())
        audit = sorted(
            (r.action, r.entity, entity_key[r.entity](r.entity_id),
             json.dumps(plain(json.loads(r.before)) if r.before else None, sort_keys=True),
             json.dumps(plain(json.loads(r.after)), sort_keys=True))
            for r in s.exec(select(AuditRecord).where(AuditRecord.entity != "sign_in")))
        return {
            "dwellings": sorted(json.dumps(plain(d.model_dump(mode="json")), sort_keys=True)
                                for d in s.exec(select(Dwelling))),
            "participants": sorted(json.dumps(plain(p.model_dump(mode="json")), sort_keys=True)
                                   for p in s.exec(select(Participant))),
            "events": sorted(json.dumps(plain(e.model_dump(mode="json")), sort_keys=True) for e in events.values()),
            "changes": sorted(json.dumps(plain(c.model_dump(mode="json")), sort_keys=True)
                              for c in changes.values()),
            "audit": audit,
        }


def test_an_import_writes_what_the_services_write(engine, tmp_path):
    for number, (kind, rows) in enumerate(FILES):
        with Session(engine) as session:
            for values in _rows(rows):
                WRITE[kind](session, SYSTEM, MODELS[kind].parse(values), source=f"import:{kind}-{number}.csv")
            session.commit()
    entered = _picture(engine)
    assert len(entered["audit"]) == 3 + 2 + 4 + 3 + 1 + 3  # one per created or changed row

    _reset(engine)
    for number, (kind, rows) in enumerate(FILES):
        result = import_file(engine, kind, write_csv(tmp_path / f"{kind}-{number}.csv", rows))
        assert result.ok and result.written, [str(e) for e in result.errors]
    assert _picture(engine) == entered


def test_status_changes_point_at_their_events_and_ids_ascend(engine, tmp_path):
    for kind, rows in FILES:
        assert import_file(engine, kind, write_csv(tmp_path / f"{kind}.csv", rows)).ok
    with Session(engine) as s:
        for change in s.exec(select(DwellingStatusChange).where(DwellingStatusChange.event_id.is_not(None))):
            event = s.get(ParticipantEvent, change.event_id)
            assert event.occurred_on == change.effective_on
            assert (event.kind, change.status) in (("housed", "occupied"), ("exited", "available"))
        # Each audit record names the row it is about.
        for record in s.exec(select(AuditRecord).where(AuditRecord.entity == "participant_event")):
            assert json.loads(record.after)["id"] == record.entity_id
            assert s.get(ParticipantEvent, record.entity_id) is not None
        ids = list(s.execute(select(ParticipantEvent.id).order_by(ParticipantEvent.occurred_on,
                                                                  ParticipantEvent.id)).scalars())
        assert len(ids) == 7


def test_deciding_writes_nothing_until_the_whole_file_is_right(engine, tmp_path):
    """Rows decided and staged are seen by the next rows but are in the database only after write()."""
    before = _count(engine)
    with Session(engine) as session:
        with cached_writes(session) as cache:
            services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="X-1", municipality="Utrecht",
                                                                 status="available", status_date="2021-02-01"))
            services.register_participant(session, SYSTEM, ParticipantIn(code="P-1", referrer="Lister",
                                                                         referred_on="2021-01-20"))
            for event in (dict(event="assessed", outcome="eligible", date="2021-02-02"),
                          dict(event="matched", dwelling_ref="X-1", date="2021-02-03"),
                          dict(event="housed", dwelling_ref="X-1", date="2021-02-04")):
                assert services.record_event(session, SYSTEM, EventIn(code="P-1", **event)) == "created"
            assert [c.status for c in services.status_changes(session, cache.dwelling("X-1").id)] == [
                "available", "occupied"]
            session.flush()
            assert _count(engine, session) == before
            gate.write_staged(cache)
            assert _count(engine, session) == {**{k: v + 1 for k, v in before.items()},
                                               "ParticipantEvent": 3, "DwellingStatusChange": 2, "AuditRecord": 5}
        session.rollback()
    assert _count(engine) == before


def _count(engine, session=None) -> dict:
    tables = (Dwelling, DwellingStatusChange, Participant, ParticipantEvent, AuditRecord)
    if session is None:
        with Session(engine) as s:
            return _count(engine, s)
    return {t.__name__: session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
