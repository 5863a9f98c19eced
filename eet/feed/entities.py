"""The feed's entity sets and their typed properties (spec/interfaces.md, "Data feed"; issue 27).

The names and types of spec/interfaces.md are a promise: `MunicipalityMonths` and `FunnelMonths`
for every role, `Dwellings`, `Participants` and `Steps` for coordinators, researchers and admins.
Added beside them: `InUse` (occupied + available, shown where the pages combine them), the bands
and verdicts of the rates as the pages show them to viewers, and `SmallCounts` / `Withheld` (the
properties a viewer's row gives as null because the pages show them as "<5" or "–").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlmodel import Session

from eet.accounts.access import Actor, can_read_rows
from eet.feed import rows

NAMESPACE = "EerstEenThuis"
CONTAINER = "Monitor"


@dataclass(frozen=True)
class Property:
    name: str
    type: str  # Edm.Date, Edm.Int32, Edm.Decimal, Edm.String, Edm.Boolean
    nullable: bool = True


@dataclass(frozen=True)
class EntitySet:
    """One entity set: its type's properties and key, and its rows for an actor. `read(session,
    actor, months, as_of)`: months are the month-ends asked, as_of the date of the row-level sets."""

    name: str
    type_name: str
    properties: tuple[Property, ...]
    key: tuple[str, ...]
    read: Callable[[Session, Actor, list[date], date], list[dict]]
    row_level: bool = False  # coordinators, researchers and admins only
    known_at: bool = True  # can be read as known at a moment K

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)


def _ints(*names: str) -> tuple[Property, ...]:
    return tuple(Property(n, "Edm.Int32") for n in names)


def _rate(prefix: str) -> tuple[Property, ...]:
    return (Property(prefix, "Edm.Decimal"), Property(f"{prefix}Low", "Edm.Decimal"),
            Property(f"{prefix}High", "Edm.Decimal"), Property(f"{prefix}TargetMet", "Edm.Boolean"))


MARKS = (Property("SmallCounts", "Edm.String"), Property("Withheld", "Edm.String"))

SETS = (
    EntitySet(
        "MunicipalityMonths", "MunicipalityMonth",
        (Property("Municipality", "Edm.String", False), Property("Month", "Edm.Date", False),
         *_ints("Counter", "Pipeline", "Searching", "LocationFound", "Available", "Occupied", "Withdrawn", "Pledge",
                "InUse"), *MARKS),
        ("Municipality", "Month"),
        lambda session, actor, months, as_of: rows.municipality_months(session, actor, months)),
    EntitySet(
        "FunnelMonths", "FunnelMonth",
        (Property("Month", "Edm.Date", False),
         *_ints("Referred", "Assessed", "Eligible", "Matched", "Housed", "HousedNow", "Withdrawn"),
         *_rate("Retention12m"), Property("Retention12mCohort", "Edm.Int32"), *_rate("Recovery12m"), *MARKS),
        ("Month",),
        lambda session, actor, months, as_of: rows.funnel_months(session, actor, months)),
    EntitySet(
        "Dwellings", "Dwelling",
        (Property("Ref", "Edm.String", False), Property("Municipality", "Edm.String"),
         Property("Corporation", "Edm.String"), Property("CareProvider", "Edm.String"), Property("Site", "Edm.String"),
         Property("BuildingType", "Edm.String"), Property("Route", "Edm.String"), Property("Status", "Edm.String"),
         Property("StatusDate", "Edm.Date"), Property("ExpectedDate", "Edm.Date")),
        ("Ref",),
        lambda session, actor, months, as_of: rows.dwellings(session, actor, as_of), row_level=True),
    EntitySet(
        "Participants", "Participant",
        (Property("Code", "Edm.String", False), Property("Referrer", "Edm.String"),
         Property("CareProvider", "Edm.String"), Property("Municipality", "Edm.String"),
         Property("ReferredOn", "Edm.Date"), Property("AgeBand", "Edm.String"), Property("LastStep", "Edm.String"),
         Property("LastStepOn", "Edm.Date")),
        ("Code",),
        lambda session, actor, months, as_of: rows.participants(session, actor), row_level=True, known_at=False),
    EntitySet(
        "Steps", "Step",
        (Property("Code", "Edm.String", False), Property("Step", "Edm.String", False),
         Property("Date", "Edm.Date", False), Property("Outcome", "Edm.String"), Property("DwellingRef", "Edm.String")),
        ("Code", "Step", "Date"),
        lambda session, actor, months, as_of: rows.steps(session, actor), row_level=True),
)
BY_NAME = {s.name: s for s in SETS}


def sets_for(actor: Actor) -> tuple[EntitySet, ...]:
    """The entity sets this actor may read: the figure sets for every role, the row-level sets for
    the roles that see rows on the pages."""
    return tuple(s for s in SETS if not s.row_level or can_read_rows(actor))
