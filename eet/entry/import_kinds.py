"""The kinds of list an import reads: their columns (English and Dutch names), input models, key
fields, the organisation fields to check and the personal-data columns that refuse a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal



from eet.entry import living_lab, measurements, pledges, services
from eet.entry import vocabulary as vocab
from eet.store.models import ZRM_DOMAINS
from eet.texts.messages import ColumnName
from eet.entry.schemas import DwellingIn, EventIn, InputModel, ParticipantIn

Kind = Literal["dwellings", "participants", "events", "measurements", "costs", "pledges"]
KINDS: tuple[str, ...] = ("dwellings", "participants", "events", "measurements", "costs")
# The admin's lists, imported from the command line only (not offered on the upload page).
ADMIN_KINDS: tuple[str, ...] = ("pledges",)
ALL_KINDS = KINDS + ADMIN_KINDS
Progress = Callable[[int, int], None]  # (rows done, rows in all)
MAX_ERRORS = 1000  # errors kept and shown; the rest are counted ("and N more")


@dataclass(frozen=True)
class Column:
    field: str  # the input model's field
    dutch: str | None = None
    required: bool = False
    # A coded column: the vocabularies its values come from (their codes, the spec's words and the
    # labels the app shows are accepted; the template lists the labels). Two for the outcome of a step.
    values: tuple[vocab.Vocabulary, ...] = ()
    amount: bool = False  # an amount in euro, as people write it (eet.entry.amounts)
    also: tuple[str, ...] = ()  # other names read too (issue 23: `organisation`, `pledged`)

    def names(self) -> tuple[str, ...]:
        return (self.field,) + ((self.dutch,) if self.dutch else ()) + self.also

    def label(self) -> ColumnName:
        """'ref' (kenmerk) in an English message, 'kenmerk' (ref) in a Dutch one."""
        return ColumnName(self.field, self.dutch)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "dwellings": (
        Column("ref", "kenmerk", True), Column("municipality", "gemeente", True),
        Column("corporation", "corporatie"), Column("care_provider", "zorgaanbieder"),
        Column("site", "locatie"), Column("building_type", "bouwtype", values=(vocab.BUILDING_TYPE,)),
        Column("route", values=(vocab.ROUTE,)), Column("status", None, True, (vocab.STATUS,)),
        Column("status_date", "statusdatum", True), Column("expected_date", "verwachte_oplevering"),
    ),
    "participants": (
        Column("code", None, True), Column("referrer", "toeleider", True),
        Column("care_provider", "zorgaanbieder"), Column("municipality", "gemeente"),
        Column("central_waiting_list", "centrale_wachtlijst", values=(vocab.YES_NO,)),
        Column("referred_on", "aangemeld_op", True), Column("age_band", "leeftijdsgroep"),
    ),
    "events": (
        Column("code", None, True), Column("event", "gebeurtenis", True, (vocab.EVENT,)),
        Column("date", "datum", True), Column("outcome", "uitkomst", values=(vocab.ASSESSMENT, vocab.EXIT)),
        Column("dwelling_ref", "woning"), Column("note", "toelichting"),
    ),
}
# Issue 17: self-sufficiency measurements and cost parameters (spec/interfaces.md).
COLUMNS["measurements"] = (Column("code", None, True), Column("date", "datum", True),
                           *(Column(domain, measurements.DUTCH[domain]) for domain in ZRM_DOMAINS))
COLUMNS["costs"] = (
    Column("model", None, True, (vocab.COST_MODEL,)), Column("category", "categorie", True, (vocab.COST_CATEGORY,)),
    Column("label", "omschrijving", True), Column("amount_eur", "bedrag", True, amount=True),
    Column("unit", "eenheid", True, (vocab.COST_UNIT,)), Column("source", "bron", True),
    Column("valid_from", "geldig_vanaf", True), Column("valid_to", "geldig_tot"),
    Column("payer", "betaler", values=(vocab.PAYER,)), Column("low_eur", "laag", amount=True),
    Column("high_eur", "hoog", amount=True),
    # Issue 29: whom it applies to (empty: every participant).
    Column("care_provider", "zorgaanbieder"), Column("building_type", "bouwtype", values=(vocab.BUILDING_TYPE,)),
)
# Issue 23: partners' pledges of dwellings (spec/interfaces.md, "pledges").
COLUMNS["pledges"] = (Column("partner", None, True, also=("organisation", "organisatie")),
                      Column("dwellings", "woningen", True, also=("pledged", "toegezegd")),
                      Column("valid_from", "geldig_vanaf", True))
MODELS: dict[str, type[InputModel]] = {"dwellings": DwellingIn, "participants": ParticipantIn, "events": EventIn,
                                       "measurements": measurements.MeasurementIn,
                                       "costs": living_lab.CostParameterIn, "pledges": pledges.PledgeIn}
ORGANISATION_FIELDS = {"dwellings": services.DWELLING_ORGANISATIONS,
                       "participants": services.PARTICIPANT_ORGANISATIONS, "events": {},
                       "measurements": {}, "costs": {"care_provider": ("care_provider",)}, "pledges": {"partner": pledges.PLEDGING}}
KEY_FIELD = {"dwellings": "ref", "participants": "code", "events": "code", "measurements": "code", "costs": "label", "pledges": "partner"}
# What makes two rows of one file the same thing (a second one is an error): by default the key.
SAME_ROW = {"measurements": lambda d: (d.code.lower(), d.date),
            "costs": lambda d: (d.model, d.category, d.label.lower(), d.valid_from),
            "pledges": lambda d: (d.partner.lower(), d.valid_from)}

# Columns that would bring personal data into the monitor. The monitor keeps pseudonymous codes only,
# so a list holding them is refused rather than silently stripped: the coordinator removes them.
# The values are codes of eet.messages.TERMS["personal"] ("a name" / "een naam").
PERSONAL_COLUMNS = {
    "naam": "name", "name": "name", "voornaam": "name", "achternaam": "name",
    "first_name": "name", "last_name": "name", "full_name": "name", "roepnaam": "name",
    "bsn": "bsn", "burgerservicenummer": "bsn",
    "geboortedatum": "birth_date", "birth_date": "birth_date", "date_of_birth": "birth_date",
    "dob": "birth_date", "adres": "address", "address": "address",
    "telefoon": "phone", "telefoonnummer": "phone", "phone": "phone",
    "email": "email", "e_mail": "email",
}
# Kinds written row by row through the ORM as they are decided (few rows: a care provider's
# measurements, the programme's cost parameters), not staged in the write cache: their import
# holds the writers' lock from the start instead of deciding without it.
ORM_WRITTEN = ("measurements", "costs", "pledges")
ENTITY_OF = {"dwellings": "dwelling", "measurements": "measurement", "costs": "cost_parameter", "pledges": "pledge"}
