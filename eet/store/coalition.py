"""The coalition of the January 2021 newsletter, the referral organisations, and the targets.

`init` creates what is missing of these; it never changes what an admin has since edited.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlmodel import Session, select

from eet.store.models import Organisation, Target

LAUNCH = date(2021, 1, 15)
# "net na de lancering": Utrechtse Heuvelrug and Heuvelrug Wonen joined just after the launch.
HEUVELRUG_JOINED = date(2021, 1, 22)

COALITION: list[tuple[str, str, date]] = [
    *[(name, "municipality", LAUNCH) for name in (
        "Houten", "Nieuwegein", "Stichtse Vecht", "Utrecht", "Vijfheerenlanden", "Woerden", "Zeist")],
    *[(name, "care_provider", LAUNCH) for name in (
        "BijBram", "Kwintes", "Leger des Heils", "Lister", "Tussenvoorziening")],
    *[(name, "housing_corporation", LAUNCH) for name in (
        "GroenWest", "Mitros", "Portaal", "Vecht en Omstreken", "Viveste")],
    ("Utrechtse Heuvelrug", "municipality", HEUVELRUG_JOINED),
    ("Heuvelrug Wonen", "housing_corporation", HEUVELRUG_JOINED),
]

# Access and referral: not coalition partners, so they have no join date and count nowhere.
REFERRAL_ORGANISATIONS = ("Stadsteam Back Up", "Regionale Toegang", "Het Vierde Huis")

TARGET_DATE = date(2022, 7, 1)
TARGETS: list[dict] = [
    {"key": "dwellings", "value": 200, "due_on": TARGET_DATE, "valid_from": LAUNCH,
     "note": "Ten minste 200 woningen (projectaanvraag aan het Rijk)"},
    {"key": "participants", "value": 200, "due_on": TARGET_DATE, "valid_from": LAUNCH,
     "note": "Getest met een minimum van 200 deelnemers"},
    {"key": "retention", "value": 0.9, "due_on": None, "valid_from": LAUNCH,
     "note": "Duurzaam herstel van de deelnemers van >90%"},
]


def ensure_coalition(session: Session) -> int:
    """Create the partners, referral organisations and targets that are missing, through the write
    gate as the programme itself; returns how many rows were created. They are the programme's
    founding facts (the newsletter of January 2021): recorded at 1970-01-01, so known at any K."""
    from eet.accounts.access import SYSTEM
    from eet.write import Plan, Touch, gate
    from eet.write.versions import add_first_versions

    founded = datetime(1970, 1, 1, tzinfo=timezone.utc)
    existing = {name.lower() for name in session.exec(select(Organisation.name))}
    known_targets = set(session.exec(select(Target.key)))
    rows = [Organisation(name=name, kind=kind, joined_on=joined)
            for name, kind, joined in COALITION if name.lower() not in existing]
    rows += [Organisation(name=name, kind="referral") for name in REFERRAL_ORGANISATIONS if name.lower() not in existing]
    rows += [Target(**target, recorded_at=founded, recorded_by="system") for target in TARGETS
             if target["key"] not in known_targets]
    if not rows:
        return 0

    def apply(writer) -> None:
        session.add_all(rows)
        session.flush()
        add_first_versions(session.connection())

    gate.submit(session, SYSTEM, Plan([Touch("organisation", "coalition", "programme")], apply))
    return len(rows)
