"""What the data layer says when it refuses something, in Dutch and English.

Every refusal a person can read (a FieldError of a form or an import row, an AccessDenied, a file
that is not a readable table) carries a key of `CATALOGUE` and named parameters instead of a
finished sentence. `.message` is the English text: the command line, the logs and the import's
`row N, column C: message` lines print it. `.text(lang)` renders it for a page in the user's
language.

Parameters are rendered per language: a date as DD-MM-YYYY in Dutch and ISO in English; a `Term`
(a code such as an event kind or a status) by the word of that language; a `Choices` list of allowed
values with both spellings, the language's own first; a nested refusal in the same language.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from . import formatting as fmt

LANGUAGES = ("nl", "en")

FORMAT = ("use YYYY-MM-DD or DD-MM-YYYY", "gebruik DD-MM-JJJJ of JJJJ-MM-DD")
USE_FILE = ("use .csv (comma or semicolon, UTF-8) or .xlsx", "gebruik .csv (komma of puntkomma, UTF-8) of .xlsx")

# key: (Dutch, English). Placeholders in {braces}; both languages use the same ones.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- any field ---------------------------------------------------------------------------------
    "required": ("is verplicht", "is required"),
    "not_a_number": ("is geen getal", "is not a number"),
    "not_a_whole_number": ("is geen heel getal", "is not a whole number"),
    "not_yes_no": ("is geen ja of nee", "is not yes or no"),
    "not_a_date_value": ("is geen datum; " + FORMAT[1], "is not a date; " + FORMAT[0]),
    "not_text": ("is geen tekst", "is not text"),
    "invalid": ("is ongeldig ({detail})", "is not valid ({detail})"),
    "too_long": ("is langer dan {max} tekens", "is longer than {max} characters"),
    "text_length": ("is {length} tekens lang; hooguit {max}", "is {length} characters long; at most {max}"),
    "future_date": ("{date} ligt in de toekomst; vul de datum in waarop het echt gebeurde",
                    "{date} lies in the future; enter the date it really happened"),
    "not_existing_date": ("'{value}' is geen bestaande datum; " + FORMAT[1],
                          "'{value}' is not an existing date; " + FORMAT[0]),
    "not_a_date": ("'{value}' is geen datum; " + FORMAT[1], "'{value}' is not a date; " + FORMAT[0]),
    "unknown_value": ("'{value}' is geen {what}; gebruik een van: {allowed}",
                      "'{value}' is not a known {what}; use one of: {allowed}"),
    "not_allowed": ("'{value}' is niet toegestaan; gebruik een van: {allowed}",
                    "'{value}' is not allowed; use one of: {allowed}"),
    "use_one_of": ("gebruik een van: {allowed}", "use one of: {allowed}"),
    "exists_already": ("'{name}' bestaat al", "'{name}' exists already"),
    "no_row_with_id": ("er is geen {entity} met id {id}", "no {entity} with id {id}"),
    "version_conflict": (
        "iemand anders heeft dit record gewijzigd sinds u het opende (versie {expected}, nu {current}); "
        "herlaad het, uw invoer blijft staan",
        "this record was changed by someone else since you opened it (version {expected}, now {current}); "
        "reload it, your input is kept"),
    "version_conflict_plain": (
        "iemand anders heeft dit record gewijzigd sinds u het opende; herlaad het, uw invoer blijft staan",
        "this record was changed by someone else since you opened it; reload it, your input is kept"),
    # --- dwellings ---------------------------------------------------------------------------------
    "ref_shape": ("'{value}' mag alleen letters, cijfers, spaties en . _ / - bevatten en begint met een letter "
                  "of cijfer, bijvoorbeeld UTR-0001",
                  "'{value}' may hold letters, digits, spaces and . _ / - only, and starts with a letter or "
                  "digit, e.g. UTR-0001"),
    "no_dwelling": ("er is geen woning met kenmerk '{ref}'", "no dwelling with ref '{ref}'"),
    "ref_exists": ("'{ref}' bestaat al; kies een ander kenmerk of bewerk die woning",
                   "'{ref}' exists already; choose another ref or edit that dwelling"),
    "status_before_latest": (
        "{date} ligt vóór de laatst vastgelegde wijziging van deze woning ({status} op {latest}); "
        "gebruik die datum of een latere",
        "{date} lies before this dwelling's latest recorded change ({status} on {latest}); "
        "use that date or a later one"),
    "effective_before_latest": (
        "ligt vóór de laatst vastgelegde wijziging ({status} op {latest}); gebruik die datum of een latere",
        "lies before the latest recorded change ({status} on {latest}); use that date or a later one"),
    "status_while_occupied": (
        "{ref} is op {date} bewoond door {code}; leg eerst de uitstroom vast (bij de stappen), of laat de "
        "status op bewoond staan",
        "{ref} is occupied by {code} on {date}; record their exit (events) first, or keep the status occupied"),
    "prefix_shape": ("gebruik alleen letters, cijfers en '-', bijvoorbeeld UTR",
                     "use letters, digits and '-' only, e.g. UTR"),
    "count_range": ("vul een aantal in van 1 tot en met {max}", "enter a number from 1 to {max}"),
    "first_number_min": ("vul 1 of meer in, of laat het leeg voor het eerstvolgende vrije nummer",
                         "enter 1 or more, or leave empty for the next free number"),
    "ref_taken": ("{refs} bestaat al; begin daarna of laat het nummer leeg",
                  "{refs} exists already; start after it or leave the number empty"),
    "refs_taken": ("{refs}{more} bestaan al; begin daarna of laat het nummer leeg",
                   "{refs}{more} exist already; start after them or leave the number empty"),
    # --- participants ------------------------------------------------------------------------------
    "code_bsn": ("een code van 9 cijfers lijkt op een burgerservicenummer (BSN); gebruik de pseudonieme "
                 "code, bijvoorbeeld P-0001",
                 "a code of 9 digits looks like a citizen service number (BSN); use the pseudonymous code, "
                 "e.g. P-0001"),
    "code_shape": ("'{value}' mag alleen letters, cijfers en '-' bevatten, bijvoorbeeld P-0001",
                   "'{value}' may hold letters, digits and '-' only, e.g. P-0001"),
    "age_band": ("gebruik een van: {allowed}; geen geboortedata", "use one of {allowed}; no birth dates"),
    "no_participant": ("er is geen deelnemer met code '{code}'", "no participant with code '{code}'"),
    "no_participant_register": ("er is geen deelnemer met code '{code}'; registreer de deelnemer eerst",
                                "no participant with code '{code}'; register them first"),
    "code_registered": ("'{code}' is al geregistreerd", "'{code}' is registered already"),
    "referral_after_step": ("{code} heeft al een stap '{event}' op {date}; de aanmelding kan daar niet na liggen",
                            "{code} already has a {event} event on {date}; the referral cannot lie after it"),
    "org_unknown": ("'{name}' is geen bekende {wanted}; bekend zijn: {names}",
                    "'{name}' is not a known {wanted}; known: {names}"),
    "org_wrong_kind": ("'{name}' is een {kind}, geen {wanted}; bekend zijn: {names}",
                       "'{name}' is a {kind}, not a {wanted}; known: {names}"),
    # --- steps (events) ----------------------------------------------------------------------------
    "step_has_no_outcome": ("bij de stap '{event}' hoort geen uitkomst; laat dit veld leeg",
                            "a {event} event has no outcome; leave it empty"),
    "reason_too_long": ("de reden is {length} tekens lang; hooguit {max} (langere tekst hoort in de toelichting)",
                        "the reason is {length} characters long; at most {max} (longer text goes in the note)"),
    "step_needs_dwelling": ("bij de stap '{event}' hoort het kenmerk van de woning",
                            "a {event} event needs the dwelling's ref"),
    "step_has_no_dwelling": ("bij de stap '{event}' hoort geen woning; laat dit veld leeg",
                             "a {event} event names no dwelling; leave it empty"),
    "outcome_required": ("is verplicht bij de stap '{event}': {allowed}", "is required for {event}: {allowed}"),
    "before_referral": ("{date} ligt vóór de aanmelding van {code} op {referred}",
                        "{date} lies before {code}'s referral on {referred}"),
    "after_withdrawal": ("{code} is uitgevallen op {date}; na uitval kan geen stap meer volgen",
                         "{code} withdrew on {date}; no steps can follow a withdrawal"),
    "match_needs_assessment": (
        "een match vraagt eerst een beoordeling 'geschikt' op of voor {date}; {code} heeft nog geen beoordeling",
        "a match needs an eligible assessment on or before {date}; {code} has no assessment yet"),
    "match_needs_eligible": (
        "een match vraagt eerst een beoordeling 'geschikt' op of voor {date}; de laatste beoordeling was "
        "'niet geschikt'",
        "a match needs an eligible assessment on or before {date}; the latest assessment was not eligible"),
    "move_in_needs_match": ("een verhuizing (inhuizing) vraagt eerst een match op of voor {date}; leg eerst de "
                            "match vast",
                            "a move-in needs a match on or before {date}; record the match first"),
    "matched_elsewhere": ("{code} is gematcht aan {matched}, niet aan {ref}; leg eerst de nieuwe match vast",
                          "{code} is matched to {matched}, not {ref}; record the new match first"),
    "still_lives_in": ("{code} woont op {date} nog in {ref}; leg eerst de uitstroom vast",
                       "{code} still lives in {ref} on {date}; record the exit first"),
    "dwelling_taken": ("{ref} is op {date} bewoond door {code}; in een woning woont één deelnemer tegelijk",
                       "{ref} is occupied by {code} on {date}; a dwelling holds one participant at a time"),
    "exit_needs_move_in": ("uitstroom vraagt eerst een inhuizing op of voor {date}; {code} was toen nog niet "
                           "gehuisvest",
                           "an exit needs a move-in on or before {date}; {code} was not housed yet"),
    "already_left": ("{code} had de woning vóór {date} al verlaten",
                     "{code} has already left their dwelling before {date}"),
    "withdrawal_after_move_in": (
        "{code} is op {date} ingehuisd; uitval is alleen voor wie vóór de inhuizing vertrekt, leg in plaats "
        "daarvan uitstroom vast",
        "{code} moved in on {date}; withdrawal is only for leaving before a move-in, record an exit instead"),
    "already_withdrew": ("{code} is al uitgevallen op {date}", "{code} already withdrew on {date}"),
    "later_step": ("{code} heeft al een latere stap '{event}' op {date}; leg de stappen vast in de volgorde "
                   "waarin ze gebeurden",
                   "{code} has a later {event} event on {date}; record steps in the order they happened"),
    "later_step_breaks": (
        "de vastgelegde stap '{event}' van {code} op {date} zou dan niet meer kloppen ({reason}); controleer "
        "de datum, of laat die stap eerst vervallen",
        "{code}'s recorded {event} on {date} would no longer fit ({reason}); check the date, or void that "
        "step first"),
    "later_move_in": (
        "{code} huist op {date} in {ref} in; in een woning woont één deelnemer tegelijk, dus deze inhuizing op "
        "{on} vraagt eerst een uitstroom vóór die datum",
        "{code} moves into {ref} on {date}; a dwelling holds one participant at a time, so this move-in on "
        "{on} needs an exit before that date"),
    "dwelling_not_yet": ("{ref} bestond op {date} nog niet; de eerste status is van later",
                         "{ref} did not exist yet on {date}; its first status is later"),
    "dwelling_without_location": (
        "{ref} heeft op {date} de status {status}; een deelnemer kan alleen gematcht worden aan of inhuizen in "
        "een woning met een locatie",
        "{ref} has status {status} on {date}; a participant can only be matched to or move into a dwelling "
        "with a location"),
    "void_reason": ("geef aan waarom deze stap vervalt", "say why this step is voided"),
    "no_active_step": ("er is geen actieve stap met id {id}", "no active event with id {id}"),
    "same_step": ("de gecorrigeerde stap is gelijk aan een stap die al is vastgelegd",
                  "the corrected step equals a step recorded already"),
    # --- registers of the living lab ---------------------------------------------------------------
    "resolved_needs_date": ("een opgelost knelpunt heeft de datum nodig waarop het is opgelost",
                            "a resolved bottleneck needs the date it was resolved"),
    "resolution_date_unresolved": (
        "alleen een opgelost knelpunt heeft een datum van oplossing; zet de status op opgelost of laat de datum "
        "leeg",
        "only a resolved bottleneck has a resolution date; set the status to resolved or leave the date empty"),
    "before_raised": ("ligt vóór de datum waarop het knelpunt is gemeld ({date})",
                      "lies before the date it was raised ({date})"),
    "amount_positive": ("vul een bedrag in euro's in dat groter is dan 0", "enter an amount above 0 in euros"),
    "category_of_model": ("een kostenpost van {model} is een van: {categories}",
                          "a {model} cost is one of: {categories}"),
    "unit_of_category": ("een kostenpost '{category}' wordt geteld {unit}", "a {category} cost is counted {unit}"),
    "valid_to_before": ("ligt vóór 'geldig vanaf' ({date})", "lies before valid from ({date})"),
    # --- administration ----------------------------------------------------------------------------
    "partner_needs_join_date": ("een partner heeft de datum nodig waarop die tot de coalitie toetrad",
                                "a partner needs the date it joined the coalition"),
    "retention_share": ("behoud is een aandeel van 0 tot 1, bijvoorbeeld 0,9 voor 90%",
                        "retention is a share from 0 to 1, e.g. 0.9 for 90%"),
    "whole_number": ("vul een heel getal in van 1 of meer", "enter a whole number of 1 or more"),
    "no_account": ("er is geen account '{username}'", "no account '{username}'"),
    "own_account": ("u kunt uw eigen account niet uitschakelen", "you cannot deactivate your own account"),
    "username_characters": ("mag alleen letters, cijfers en . _ - bevatten (geen spaties), hoogstens {max} tekens",
                            "may hold only letters, digits and . _ - (no spaces), at most {max} characters"),
    "password_short": ("moet minstens {min} tekens lang zijn", "needs at least {min} characters"),
    "coordinator_needs_org": ("een coördinator heeft de organisatie nodig waarvan hij of zij de gegevens bijhoudt",
                              "a coordinator needs the organisation whose data they keep"),
    # --- review meetings and decisions -------------------------------------------------------------
    "unknown_choice": ("'{value}' is geen {what}; kies een van: {allowed}",
                       "'{value}' is not a {what}; choose one of {allowed}"),
    "compare_before_meeting": ("moet vóór de datum van de bijeenkomst liggen ({date})",
                               "must lie before the meeting date {date}"),
    "no_meeting": ("er is geen evaluatiebijeenkomst met id {id}; voeg eerst de bijeenkomst toe",
                   "no review meeting with id {id}; add the meeting first"),
    "meeting_date_taken": ("er staat al een evaluatiebijeenkomst op {date} ('{title}'); wijzig die in plaats daarvan",
                           "a review meeting on {date} is already registered ('{title}'); change that one instead"),
    # --- who may do what (AccessDenied) ------------------------------------------------------------
    "denied_coordinator_without_org": ("een coördinatoraccount heeft een organisatie nodig",
                                       "a coordinator account needs an organisation"),
    "denied_aggregates_only": ("de rol {role} ziet alleen totalen", "role {role} sees aggregates only"),
    "denied_role": ("{user} ({role}) mag dit niet; daarvoor is de rol {roles} nodig",
                    "{user} ({role}) may not do this; needs {roles}"),
    "denied_other_org": ("{user} mag alleen gegevens van de eigen organisatie wijzigen",
                         "{user} may only change rows of their own organisation"),
    # --- import files ------------------------------------------------------------------------------
    "same_column": ("dezelfde kolom als '{other}' ({label}); houd er één over",
                    "the same column as '{other}' ({label}); keep one of them"),
    "personal_column": ("lijkt op {what}; de monitor bewaart alleen pseudonieme codes, haal deze kolom uit het "
                        "bestand en importeer het opnieuw",
                        "looks like {what}; the monitor keeps pseudonymous codes only, remove this column from "
                        "the file and import it again"),
    "missing_column": ("de verplichte kolom {missing} ontbreekt; de kolommen voor {kind} zijn {columns} "
                       "(zie de beschrijving van het importbestand)",
                       "the required column {missing} is missing; the {kind} columns are {columns} (see the spec)"),
    "no_rows": ("{file} bevat geen rijen onder de kopregel", "{file} holds no rows below the header"),
    "surplus_value": ("bevat {n} waarde rechts van de laatste kolom met een naam; geef die kolom een naam in "
                      "rij 1 of haal de waarde weg",
                      "holds {n} value right of the last named column; give that column a name in row 1 or "
                      "remove the values"),
    "surplus_values": ("bevat {n} waarden rechts van de laatste kolom met een naam; geef die kolom een naam in "
                       "rij 1 of haal de waarden weg",
                       "holds {n} values right of the last named column; give that column a name in row 1 or "
                       "remove the values"),
    "duplicate_key": ("{value} staat ook in rij {row}; een lijst bevat elke {what} maar één keer",
                      "{value} is also in row {row}; a list holds each {what} once"),
    "database_refused": ("de database weigerde deze rij ({reason})", "the database refused this row ({reason})"),
    # --- files that are no readable table ----------------------------------------------------------
    "file_too_large": ("{file} is groter dan {mb} MB; verdeel de lijst over kleinere bestanden",
                       "{file} is larger than {mb} MB; split it into smaller files"),
    "file_missing": ("{file} bestaat niet", "{file} does not exist"),
    "file_is_folder": ("{file} is een map, geen bestand", "{file} is a folder, not a file"),
    "file_unreadable": ("{file} kan niet worden gelezen: {reason}", "{file} cannot be read: {reason}"),
    "file_xls": ("{file}: een .xls-bestand (het oude Excel-formaat: sla het op als .xlsx) kan niet worden "
                 "geïmporteerd; " + USE_FILE[1],
                 "{file}: a .xls (the old Excel format: save it as .xlsx) cannot be imported; " + USE_FILE[0]),
    "file_no_extension": ("{file}: een bestand zonder extensie kan niet worden geïmporteerd; " + USE_FILE[1],
                          "{file}: a file without an extension cannot be imported; " + USE_FILE[0]),
    "file_extension": ("{file}: een {suffix}-bestand kan niet worden geïmporteerd; " + USE_FILE[1],
                       "{file}: a {suffix} cannot be imported; " + USE_FILE[0]),
    "file_empty": ("{file} is leeg; de eerste rij moet de kolomnamen bevatten",
                   "{file} is empty; the first row must hold the column names"),
    "xlsx_named_csv": ("{file} is een Excel-werkmap met een .csv-naam; geef het bestand de extensie .xlsx",
                       "{file} is an Excel workbook with a .csv name; rename it to .xlsx"),
    "binary_csv": ("{file} is geen tekstbestand (het bevat binaire gegevens); exporteer de lijst als CSV UTF-8 "
                   "of als .xlsx",
                   "{file} is not a text file (it holds binary data); export the list as CSV UTF-8 or .xlsx"),
    "not_utf8": ("{file}: regel {line} is geen UTF-8-tekst; kies in Excel bij het opslaan 'CSV UTF-8 (door "
                 "komma's gescheiden)', of importeer de .xlsx",
                 "{file}: line {line} is not UTF-8 text; in Excel choose 'CSV UTF-8 (door komma's gescheiden)' "
                 "when saving, or import the .xlsx"),
    "csv_unreadable": ("{file} is niet als CSV te lezen ({reason}); kijk of er een aanhalingsteken (\") niet is "
                       "gesloten of in dezelfde cel nog door tekst wordt gevolgd",
                       "{file} cannot be read as CSV ({reason}); check for a quote (\") that is not closed or "
                       "is followed by more text in the same cell"),
    "not_xlsx": ("{file} is geen Excel-werkmap (.xlsx); sla de lijst in Excel op als .xlsx of als CSV UTF-8",
                 "{file} is not an Excel workbook (.xlsx); save the list from Excel as .xlsx or as CSV UTF-8"),
    "xlsx_unreadable": ("{file} is geen leesbare Excel-werkmap ({reason}); open het bestand in Excel en sla het "
                        "opnieuw op als .xlsx",
                        "{file} is not a readable Excel workbook ({reason}); open it in Excel and save it again "
                        "as .xlsx"),
    "header_empty": ("{file}: rij 1 is leeg; de eerste rij moet de kolomnamen bevatten",
                     "{file}: row 1 is empty; the first row must hold the column names"),
}

# Code values named inside a sentence: kind -> code -> (Dutch, English). A code missing from the
# English side is written as the code itself, as the English messages always did.
TERMS: dict[str, dict[str, tuple[str, str | None]]] = {
    "event": {
        "assessed": ("beoordeeld", None), "matched": ("gematcht", None), "housed": ("gehuisvest", None),
        "exited": ("uitgestroomd", None), "withdrawn": ("uitgevallen", None),
    },
    "status": {
        "searching": ("zoekend", None), "location_found": ("locatie gevonden", None),
        "available": ("beschikbaar", None), "occupied": ("bewoond", None), "withdrawn": ("vervallen", None),
    },
    # what vocabulary.normalise refuses: the Dutch side carries its adjective ("bekend(e)")
    "unknown": {
        "status": ("bekende status", "status"), "building_type": ("bekend bouwtype", "building type"),
        "route": ("bekende route", "route"), "event": ("bekende stap", "event"),
        "answer": ("bekend antwoord (ja/nee, yes/no)", "answer (yes/no, ja/nee)"),
        "assessment_outcome": ("bekende uitkomst van een beoordeling", "assessment outcome"),
        "exit_outcome": ("bekende uitkomst van uitstroom", "exit outcome"),
    },
    "org_kind": {
        "municipality": ("gemeente", "municipality"), "care_provider": ("zorgaanbieder", "care provider"),
        "housing_corporation": ("woningcorporatie", "housing corporation"),
        "referral": ("verwijzende organisatie", "referral organisation"),
    },
    "entity": {
        "dwelling": ("woning", None), "participant": ("deelnemer", None), "bottleneck": ("knelpunt", None),
        "factor": ("succes- of faalfactor", None), "cost_parameter": ("kostenparameter", None),
        "organisation": ("organisatie", None), "decision": ("besluit", None),
    },
    "import_kind": {"dwellings": ("woningen", None), "participants": ("deelnemers", None),
                    "events": ("stappen", None)},
    "personal": {
        "name": ("een naam", "a name"), "bsn": ("een burgerservicenummer", "a citizen service number"),
        "birth_date": ("een geboortedatum", "a birth date"), "address": ("een adres", "an address"),
        "phone": ("een telefoonnummer", "a phone number"), "email": ("een e-mailadres", "an e-mail address"),
    },
    "role": {"admin": ("beheerder", None), "coordinator": ("coördinator", None),
             "researcher": ("onderzoeker", None), "viewer": ("stuurgroep", None)},
    "cost_model": {"housing_first": ("Housing First", None), "shelter": ("het opvangmodel", None)},
    "cost_category": {"support": ("begeleiding", None), "housing": ("woonlasten", None),
                      "one_off": ("eenmalige kosten", None), "shelter": ("opvang", None)},
    "cost_unit": {"per_participant_year": ("per deelnemerjaar", None),
                  "one_off_per_participant": ("eenmalig per deelnemer", None)},
    "choice": {"decision_topic": ("onderwerp van een besluit", "decision topic"),
               "decision_status": ("status van een besluit", "decision status")},
}

_OR = {"nl": " of ", "en": " or "}


@dataclass(frozen=True)
class Term:
    """A code value (an event kind, a status ...) named by the word of the language."""

    kind: str
    code: str

    def render(self, lang: str) -> str:
        dutch, english = TERMS[self.kind].get(self.code, (self.code, None))
        return dutch if lang == "nl" else (english or self.code)


@dataclass(frozen=True)
class Either:
    """Terms joined by 'or' ('of' in Dutch): 'municipality or care provider'."""

    terms: tuple[Term, ...]

    def render(self, lang: str) -> str:
        return _OR[lang].join(term.render(lang) for term in self.terms)


def either(kind: str, codes) -> Either:
    return Either(tuple(Term(kind, code) for code in codes))


@dataclass(frozen=True)
class Choices:
    """Allowed values with both spellings: 'searching, available (zoekend, beschikbaar)' in English,
    'zoekend, beschikbaar (searching, available)' in Dutch."""

    english: tuple[str, ...]
    dutch: tuple[str, ...] = ()

    def render(self, lang: str) -> str:
        first, second = (self.dutch, self.english) if lang == "nl" and self.dutch else (self.english, self.dutch)
        return ", ".join(first) + (f" ({', '.join(second)})" if second else "")


@dataclass(frozen=True)
class ColumnName:
    """A column of an import file: 'ref' (kenmerk) in English, 'kenmerk' (ref) in Dutch."""

    english: str
    dutch: str | None = None

    def render(self, lang: str) -> str:
        if not self.dutch:
            return f"'{self.english}'"
        return f"'{self.dutch}' ({self.english})" if lang == "nl" else f"'{self.english}' ({self.dutch})"


def render_value(value: Any, lang: str) -> str:
    if isinstance(value, Localised):
        return value.text(lang)
    if hasattr(value, "render"):
        return value.render(lang)
    if isinstance(value, date):
        return fmt.short_date(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(render_value(item, lang) for item in value)
    return str(value)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(key: str, params: Mapping[str, Any], lang: str) -> str:
    """The message `key` in `lang` ('nl' or 'en'; anything else gives English), parameters filled in."""
    template = CATALOGUE[key][0 if lang == "nl" else 1]
    lang = "nl" if lang == "nl" else "en"
    return template.format(**{name: render_value(value, lang) for name, value in params.items()})


class Localised:
    """A refusal as a catalogue key with parameters: `.message` in English, `.text(lang)` in either."""

    key: str
    params: Mapping[str, Any]

    @property
    def message(self) -> str:
        return render(self.key, self.params, "en")

    def text(self, lang: str) -> str:
        return render(self.key, self.params, lang)


def check(key: str, params: Mapping[str, Any]) -> None:
    """A key that is not in the catalogue, or parameters that do not fit it, is a programming error."""
    if key not in CATALOGUE:
        raise KeyError(f"no message '{key}' in eet.messages.CATALOGUE")
    missing = placeholders(CATALOGUE[key][1]) - set(params)
    if missing:
        raise KeyError(f"message '{key}' needs {', '.join(sorted(missing))}")


@dataclass(frozen=True, eq=False)
class Message(Localised):
    """A refusal that belongs to no field: a whole file, or a row."""

    key: str
    params: Mapping[str, Any]

    def __post_init__(self) -> None:
        check(self.key, self.params)

    def __str__(self) -> str:
        return self.message


def message(key: str, /, **params: Any) -> Message:
    return Message(key, params)


class Refusal(ValueError, Localised):
    """A ValueError with a catalogue key: raised inside the input models' validators (the field is
    added where the model reports it) and by `eet.vocabulary`. str() is the English message."""

    def __init__(self, key: str, /, **params: Any):
        check(key, params)
        self.key, self.params = key, params
        super().__init__(self.message)
