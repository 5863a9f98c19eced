"""The texts of the review page and the meeting pack, Dutch and English. Kept apart from
`eet.i18n` because only these two use them; `t` falls back to `eet.i18n` for the shared ones
(statuses, funnel steps, owner, ...)."""

from __future__ import annotations

from . import i18n
from .i18n import LANGUAGES

TEXT: dict[str, tuple[str, str]] = {
    "page_review": ("Tussentijdse evaluatie", "Review meeting"),
    "pack_title": ("Vergaderstuk tussentijdse evaluatie", "Review meeting pack"),
    "pack_subtitle": ("Eerst een Thuis: stand op {as_of}, vergeleken met {since}",
                      "Eerst een Thuis: the state on {as_of}, compared with {since}"),
    "pack_made": ("Gemaakt op {today} uit de Eerst een Thuis monitor.",
                  "Made on {today} from the Eerst een Thuis monitor."),
    "pack_exact": ("Exacte aantallen — niet voor verspreiding.", "Exact counts — not for distribution."),
    "pack_subtitle_alone": ("Eerst een Thuis: stand op {as_of} (de lancering: nog niets om mee te vergelijken)",
                            "Eerst een Thuis: the state on {as_of} (the launch: nothing to compare with yet)"),
    "pack_demo": ("Demodata: alle cijfers in dit stuk zijn gesimuleerd.",
                  "Demo data: every figure in this pack is simulated."),
    "meeting_date": ("Vergaderdatum", "Meeting date"),
    "meeting_date_help": ("Alle cijfers zoals ze op deze datum waren.", "Every figure as it stood on this date."),
    "compare_with": ("Vergelijken met", "Compare with"),
    "option_meeting": ("Vorige evaluatie: {title} ({date})", "Previous review: {title} ({date})"),
    "option_launch": ("Lancering van de coalitie ({date})", "Launch of the coalition ({date})"),
    "option_register": ("Vastgelegd bij deze vergadering ({date})", "Recorded with this meeting ({date})"),
    "no_comparison": ("Vóór de lancering van {date} is er niets om mee te vergelijken: kies een latere "
                      "vergaderdatum.", "Before the launch on {date} there is nothing to compare with: choose "
                      "a later meeting date."),
    "pace_basis": ("Tempo gemeten sinds", "Pace measured since"),
    "basis_comparison": ("de vergelijkingsdatum", "the comparison date"),
    "basis_launch": ("de lancering", "the launch"),
    # headline
    "headline": ("Kerncijfers", "Headline figures"),
    "figure": ("Cijfer", "Figure"),
    "change": ("Verschil", "Change"),
    "group_dwellings": ("Woningen", "Dwellings"),
    "group_status": ("Woningen per status", "Dwellings by status"),
    "group_coalition": ("Coalitie", "Coalition"),
    "group_funnel": ("Deelnemers: van aanmelding tot woning", "Participants: from referral to housing"),
    "group_lead_time": ("Doorlooptijd van aanmelding tot inhuizing", "Lead time from referral to move-in"),
    "group_retention": ("Behoud na 12 maanden", "Retention at 12 months"),
    "item_municipality": ("Gemeenten", "Municipalities"),
    "item_care_provider": ("Zorgaanbieders", "Care providers"),
    "item_housing_corporation": ("Woningcorporaties", "Housing corporations"),
    "item_median": ("Mediaan (dagen)", "Median (days)"),
    "item_p75": ("75e percentiel (dagen)", "75th percentile (days)"),
    "item_n": ("Gehuisvest (aantal)", "Housed (number)"),
    "item_rate": ("Behoud (doel {target})", "Retention (target {target})"),
    "item_cohort": ("Cohort (ingestroomd ≥ 1 jaar geleden)", "Cohort (housed ≥ 1 year ago)"),
    # what moved
    "moved": ("Wat bewoog er", "What moved"),
    "moved_municipality": ("Per gemeente", "By municipality"),
    "moved_building_type": ("Per bouwtype", "By building type"),
    "moved_route": ("Per route", "By route"),
    "moved_site": ("Per locatie", "By site"),
    "moved_site_note": ("Alleen locaties waar iets veranderde ({n} van {total}).",
                        "Only the sites where something changed ({n} of {total})."),
    "nothing_moved": ("Hier veranderde niets.", "Nothing changed here."),
    "measure_counter": ("Teller", "Counter"),
    "measure_pipeline": ("Pijplijn", "Pipeline"),
    "measure_occupied": ("Bewoond", "Occupied"),
    # forecast
    "forecast": ("Prognose", "Forecast"),
    "forecast_intro": ("Lineair: het tempo van {since} tot {as_of} ({basis}) doorgetrokken tot {due}.",
                       "Linear: the pace from {since} to {as_of} ({basis}) continued until {due}."),
    "forecast_dwellings": ("Woningen (teller)", "Dwellings (counter)"),
    "forecast_participants": ("Deelnemers ooit gehuisvest", "Participants ever housed"),
    "col_target": ("Doel", "Target"),
    "col_pace": ("Tempo per maand", "Pace per month"),
    "col_projected": ("Verwacht op {due}", "Expected by {due}"),
    "col_gap": ("Nog te gaan", "Still to go"),
    "col_needed": ("Nodig per maand", "Needed per month"),
    "col_verdict": ("Oordeel", "Verdict"),
    "on_track": ("op koers", "on track"),
    "behind": ("achter op schema", "behind schedule"),
    "unknown_track": ("niet te bepalen", "cannot tell"),
    "forecast_sentence": ("{measure}: {now} op {as_of}, {pace} per maand sinds {since}; op dit tempo ongeveer {projected} "
                          "op {due} ({verdict}). Nog {gap} te gaan: {needed} per maand nodig.",
                          "{measure}: {now} on {as_of}, {pace} a month since {since}; at this pace about {projected} by "
                          "{due} ({verdict}). {gap} still to go: {needed} a month needed."),
    "forecast_hidden": ("{measure}: het tempo wordt voor uw rol niet getoond, omdat een van de aantallen "
                        "kleiner is dan {n}.", "{measure}: the pace is not shown to your role, because one "
                        "of the counts is below {n}."),
    "actual": ("Werkelijk", "Actual"),
    "at_pace": ("Op dit tempo", "At this pace"),
    "pace_needed": ("Benodigd tempo", "Pace needed"),
    "target_line": ("Doel {target}", "Target {target}"),
    # registers
    "bottlenecks": ("Open knelpunten op {as_of}", "Open bottlenecks on {as_of}"),
    "decisions": ("Besluiten", "Decisions"),
    "decisions_note": ("De status van een besluit is die van vandaag.", "A decision's status is today's."),
    "no_decisions": ("Nog geen besluiten vastgelegd.", "No decisions recorded yet."),
    "meetings": ("Vergaderingen", "Meetings"),
    "meeting": ("Vergadering", "Meeting"),
    "held_on": ("Datum", "Date"),
    "meeting_title": ("Titel", "Title"),
    "topic": ("Onderwerp", "Topic"),
    "decision": ("Besluit", "Decision"),
    "due_on": ("Uiterlijk", "Due"),
    "compare_with_field": ("Vergelijkingsdatum", "Comparison date"),
    # forms
    "register": ("Vergaderingen en besluiten vastleggen", "Record meetings and decisions"),
    "admin_only": ("Alleen de beheerder legt vergaderingen en besluiten vast.",
                   "Only the admin records meetings and decisions."),
    "add_meeting": ("Vergadering toevoegen", "Add a meeting"),
    "add_decision": ("Besluit toevoegen", "Add a decision"),
    "update_decision": ("Status van een besluit wijzigen", "Change a decision's status"),
    "save": ("Opslaan", "Save"),
    "saved": ("Opgeslagen.", "Saved."),
    "refused": ("Niet opgeslagen; er is niets gewijzigd. Zie de gemarkeerde velden.",
                "Not saved; nothing was changed. See the marked fields."),
    "denied": ("Niet opgeslagen: {reason}", "Not saved: {reason}"),
    "no_meetings_yet": ("Voeg eerst een vergadering toe.", "Add a meeting first."),
    "no_date": ("(geen)", "(none)"),
    # downloads
    "pack_exact_choice": ("Exacte aantallen in het vergaderstuk (niet voor verspreiding)",
                          "Exact counts in the meeting pack (not for distribution)"),
    "pack_exact_help": ("Het vergaderstuk wordt rondgestuurd: kleine aantallen staan er standaard als <{n}. "
                        "Exacte aantallen alleen voor eigen gebruik.", "The meeting pack is sent round: small "
                        "counts show as <{n} by default. Exact counts for your own use only."),
    "download_html": ("Vergaderstuk downloaden (html)", "Download the meeting pack (html)"),
    "download_xlsx": ("Vergaderstuk downloaden (Excel)", "Download the meeting pack (Excel)"),
    "about": ("Over dit stuk", "About this pack"),
}

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "topic": {
        "target_group": ("Doelgroep", "Target group"),
        "initiative": ("Initiatief", "Initiative"),
        "location": ("Locatie", "Location"),
        "other": ("Overig", "Other"),
    },
    "decision_status": {
        "open": ("Open", "Open"),
        "in_progress": ("In uitvoering", "In progress"),
        "done": ("Afgerond", "Done"),
        "dropped": ("Vervallen", "Dropped"),
    },
}

# The sheet of the meeting pack per headline group (at most 31 characters each).
SHEETS: dict[str, tuple[str, str]] = {
    "about": ("Over dit stuk", "About"),
    "dwellings": ("Woningen", "Dwellings"),
    "status": ("Woningen per status", "Dwellings by status"),
    "coalition": ("Coalitie", "Coalition"),
    "funnel": ("Deelnemers", "Participants"),
    "lead_time": ("Doorlooptijd", "Lead time"),
    "retention": ("Behoud 12 maanden", "Retention 12 months"),
    "municipality": ("Per gemeente", "By municipality"),
    "building_type": ("Per bouwtype", "By building type"),
    "route": ("Per route", "By route"),
    "site": ("Per locatie", "By site"),
    "forecast": ("Prognose", "Forecast"),
    "series": ("Maandstanden", "Month ends"),
    "bottlenecks": ("Open knelpunten", "Open bottlenecks"),
    "decisions": ("Besluiten", "Decisions"),
}


def t(key: str, lang: str, **values) -> str:
    pair = TEXT.get(key)
    if pair is None:
        return i18n.t(key, lang, **values)
    text = pair[LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def label(kind: str, value: str | None, lang: str) -> str:
    if kind in LABELS:
        if value is None:
            return i18n.t("not_recorded", lang)
        names = LABELS[kind].get(value)
        return names[LANGUAGES.index(lang)] if names else value
    return i18n.label(kind, value, lang)


def sheet(key: str, lang: str) -> str:
    return SHEETS[key][LANGUAGES.index(lang)]
