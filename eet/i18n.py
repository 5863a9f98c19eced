"""Every text of the interface in Dutch (the default, EET_LANG) and English.

`t(key, lang, **values)` fills `{placeholders}`; `label(kind, value, lang)` names a code value
(a status, a funnel step, a building type ...). An unknown key is a programming error, so it raises.
"""

from __future__ import annotations

from .config import get_settings

LANGUAGES = ("nl", "en")

TEXT: dict[str, tuple[str, str]] = {
    # frame
    "app_title": ("Eerst een Thuis monitor", "Eerst een Thuis monitor"),
    "demo_banner": ("Demodata: alle cijfers zijn gesimuleerd.", "Demo data: every figure is simulated."),
    "as_of": ("Peildatum", "As of"),
    "as_of_help": ("Alle cijfers zoals ze op deze datum waren. De datum staat in de link, zodat u deze "
                   "weergave kunt delen.", "Every figure as it stood on this date. The date is part of the "
                   "link, so this view can be shared."),
    "language": ("Taal", "Language"),
    "signed_in_as": ("Ingelogd als **{user}** ({role})", "Signed in as **{user}** ({role})"),
    "sign_out": ("Uitloggen", "Sign out"),
    "signed_out_idle": ("U bent na 30 minuten zonder activiteit uitgelogd.",
                        "You were signed out after 30 minutes without activity."),
    # sign-in
    "sign_in": ("Inloggen", "Sign in"),
    "reload_signs_out": ("Na het herladen van de pagina logt u opnieuw in.",
                         "After reloading the page you sign in again."),
    "username": ("Gebruikersnaam", "User name"),
    "password": ("Wachtwoord", "Password"),
    "sign_in_failed": ("Onbekende gebruikersnaam of onjuist wachtwoord. Na {attempts} mislukte pogingen "
                       "wordt het account {minutes} minuten geblokkeerd.",
                       "Unknown user name or wrong password. After {attempts} failed attempts the account "
                       "is locked for {minutes} minutes."),
    "demo_accounts": ("Demo-accounts (wachtwoord: `{password}`)", "Demo accounts (password: `{password}`)"),
    "demo_accounts_note": ("Deze accounts staan hier alleen zolang de database demodata bevat.",
                           "These accounts are listed only while the database holds demo data."),
    "organisation": ("Organisatie", "Organisation"),
    "role": ("Rol", "Role"),
    # page titles
    "page_overview": ("Overzicht", "Overview"),
    "page_dwellings": ("Woningen", "Dwellings"),
    "page_participants": ("Deelnemers", "Participants"),
    "page_research": ("Onderzoek", "Research"),
    # overview
    "counter_headline": ("De teller staat op {counter} woningen, {pipeline} woningen in de pijplijn",
                         "The counter stands at {counter} dwellings, {pipeline} dwellings in the pipeline"),
    "counter_caption": ("Teller: locatie gevonden, beschikbaar of bewoond. Pijplijn: partners zoeken nog een "
                        "locatie. Samen {ambition} van de {target} woningen (doel voor {due}).",
                        "Counter: location found, available or occupied. Pipeline: partners still searching "
                        "a location. Together {ambition} of the {target} dwellings (target by {due})."),
    "counter": ("Teller", "Counter"),
    "pipeline": ("Pijplijn", "Pipeline"),
    "ambition": ("Ambitie", "Ambition"),
    "target": ("Doel", "Target"),
    "of_target": ("van {target}", "of {target}"),
    "occupied_or_available": ("Bewoond of beschikbaar", "Occupied or available"),
    "occupied_hidden_note": ("Bewoonde woningen zijn mensen: waar hun aantal een groep van minder dan {n} "
                             "deelnemers zou prijsgeven, ziet uw rol bewoond en beschikbaar samen.",
                             "Occupied dwellings are people: where their number would reveal a group of fewer "
                             "than {n} participants, your role sees occupied and available together."),
    "housed_now_hidden": ("Hoeveel er nu wonen wordt voor uw rol niet getoond: het zou een klein aantal "
                          "uitgestroomde deelnemers (minder dan {n}) prijsgeven.", "How many live there now is not "
                          "shown to your role: it would reveal a small number (below {n}) of participants who left."),
    "retention_hidden": ("Het percentage wordt voor uw rol niet getoond: het zou een klein aantal deelnemers "
                         "(minder dan {n}) prijsgeven. Cohort: {cohort}.", "The rate is not shown to your role: it "
                         "would reveal a small number of participants (below {n}). Cohort: {cohort}."),
    "pace_basis_launch": ("Tempo gemeten sinds de lancering op {launch}; de evaluatiepagina meet desgewenst "
                          "sinds de vergelijkingsdatum.", "Pace measured since the launch on {launch}; the review "
                          "page can measure it since the comparison date."),
    "waiting_list_none_known": ("Van geen van de {total} aanmeldingen is bekend of ze via de centrale wachtlijst "
                                "kwamen.", "For none of the {total} referrals is it known whether they came "
                                "through the central waiting list."),
    "lead_time_hist_hidden": ("Voor uw rol is er nog geen verdeling te tonen: elke groep telt minder dan {n} "
                              "deelnemers.", "There is no distribution to show to your role yet: every group "
                              "holds fewer than {n} participants."),
    "lead_time_trend_hidden": ("Voor uw rol is er nog geen maand te tonen: in elke maand zijn minder dan {n} "
                               "deelnemers ingehuisd.", "There is no month to show to your role yet: fewer than "
                               "{n} participants moved in in every month."),
    "housed_vs_target": ("Deelnemers gehuisvest", "Participants housed"),
    "housed_now_caption": ("{now} wonen er nu; doel: {target} deelnemers.",
                           "{now} live there now; target: {target} participants."),
    "retention": ("Behoud na 12 maanden", "Retention at 12 months"),
    "retention_caption": ("Cohort: {cohort} deelnemers die minstens een jaar geleden zijn ingestroomd; doel "
                          "meer dan {target}.", "Cohort: {cohort} participants housed at least a year ago; "
                          "target above {target}."),
    "retention_empty": ("Nog niemand woont een jaar: het cohort is leeg.",
                        "Nobody has been housed for a year yet: the cohort is empty."),
    "changes_since": ("Wat is er veranderd sinds", "What changed since"),
    "changes_header": ("Veranderingen van {since} tot {as_of}", "Changes from {since} to {as_of}"),
    "since_after_as_of": ("Kies een datum vóór de peildatum.", "Choose a date before the as-of date."),
    "figure": ("Cijfer", "Figure"),
    "then": ("Toen", "Then"),
    "now": ("Nu", "Now"),
    "change": ("Verschil", "Change"),
    "pace": ("Tempo naar {target} woningen op {due}", "Pace towards {target} dwellings by {due}"),
    "pace_needed": ("Nodig per maand", "Needed per month"),
    "pace_so_far": ("Tempo sinds de lancering", "Pace since the launch"),
    "pace_on_track": ("Op dit tempo staat de teller op {due} op ongeveer {projected}: het doel wordt gehaald.",
                      "At this pace the counter reaches about {projected} by {due}: the target is met."),
    "pace_behind": ("Op dit tempo staat de teller op {due} op ongeveer {projected}: er zijn {extra} woningen "
                    "per maand meer nodig.", "At this pace the counter reaches about {projected} by {due}: "
                    "{extra} more dwellings a month are needed."),
    "pace_reached": ("Het doel van {target} woningen is bereikt.", "The target of {target} dwellings is reached."),
    "pace_no_history": ("Het tempo is te zien vanaf de dag na de lancering ({launch}).",
                        "The pace shows from the day after the launch ({launch})."),
    "pace_deadline_passed": ("De einddatum {due} is voorbij.", "The deadline {due} has passed."),
    "per_month": ("{value} per maand", "{value} a month"),
    # dwellings
    "filters": ("Filters", "Filters"),
    "corporation": ("Corporatie", "Corporation"),
    "care_provider": ("Zorgaanbieder", "Care provider"),
    "building_type": ("Bouwtype", "Building type"),
    "route": ("Route", "Route"),
    "municipality": ("Gemeente", "Municipality"),
    "all": ("Alle", "All"),
    "by_municipality": ("Woningen per gemeente", "Dwellings by municipality"),
    "trend": ("De teller in de tijd", "The counter over time"),
    "dwelling_table": ("Woningen op {as_of}", "Dwellings on {as_of}"),
    "table_first_rows": ("De eerste {shown} van {total} woningen; de downloads bevatten ze allemaal.",
                         "The first {shown} of {total} dwellings; the downloads hold them all."),
    "table_own_org": ("U ziet alleen de woningen van uw eigen organisatie.",
                      "You see the dwellings of your own organisation only."),
    "table_viewer": ("Woningen op rijniveau zijn niet zichtbaar voor uw rol; de cijfers hierboven wel.",
                     "Dwellings row by row are not visible to your role; the figures above are."),
    "download_csv": ("Downloaden (csv)", "Download (csv)"),
    "download_xlsx": ("Downloaden (Excel)", "Download (Excel)"),
    "no_dwellings": ("Er zijn op deze datum nog geen woningen. Voer woningen in via de import "
                     "(`python -m eet import dwellings BESTAND`).",
                     "There are no dwellings on this date yet. Enter dwellings through the import "
                     "(`python -m eet import dwellings FILE`)."),
    "no_dwellings_filter": ("Geen woningen die aan deze filters voldoen.", "No dwellings match these filters."),
    "ref": ("Kenmerk", "Ref"),
    "site": ("Locatie", "Site"),
    "status": ("Status", "Status"),
    "status_date": ("Statusdatum", "Status date"),
    "expected_date": ("Verwachte oplevering", "Expected delivery"),
    "dwellings_axis": ("Woningen", "Dwellings"),
    "deadline": ("Einddatum", "Deadline"),
    "target_line": ("Doel {target}", "Target {target}"),
    "needed_path": ("Benodigd tempo", "Pace needed"),
    # participants
    "funnel": ("Van aanmelding tot woning", "From referral to housing"),
    "conversion": ("Doorstroom", "Conversion"),
    "step": ("Stap", "Step"),
    "participants_axis": ("Deelnemers", "Participants"),
    "from_previous": ("van vorige stap", "of previous step"),
    "no_participants": ("Er zijn op deze datum nog geen deelnemers aangemeld. Voer deelnemers en hun stappen "
                        "in via de import (`python -m eet import participants` en `import events`).",
                        "No participants were referred by this date. Enter participants and their steps "
                        "through the import (`python -m eet import participants` and `import events`)."),
    "waiting_list": ("Van de centrale wachtlijst", "From the central waiting list"),
    "waiting_list_caption": ("{yes} van {known} aanmeldingen met bekende herkomst kwamen van de centrale "
                             "wachtlijst van de Regionale Toegang.", "{yes} of {known} referrals with a known "
                             "origin came from Regionale Toegang's central waiting list."),
    "yes": ("Ja", "Yes"),
    "no": ("Nee", "No"),
    "unknown": ("Onbekend", "Unknown"),
    "lead_time": ("Doorlooptijd van aanmelding tot inhuizing", "Lead time from referral to move-in"),
    "lead_time_summary": ("Mediaan {median} dagen, 75e percentiel {p75} dagen ({n} gehuisvest).",
                          "Median {median} days, 75th percentile {p75} days ({n} housed)."),
    "lead_time_empty": ("Nog niemand is ingehuisd: de doorlooptijd volgt na de eerste inhuizing.",
                        "Nobody has moved in yet: the lead time follows the first move-in."),
    "days": ("Dagen", "Days"),
    "days_bucket": ("{start}–{end} dagen", "{start}–{end} days"),
    "median_days": ("Mediaan aantal dagen", "Median days"),
    "month_of_move_in": ("Maand van inhuizing", "Month of move-in"),
    "lead_time_distribution": ("Verdeling", "Distribution"),
    "lead_time_trend": ("Per maand van inhuizing", "By month of move-in"),
    "by_referrer": ("Per toeleider", "By referrer"),
    "by_care_provider": ("Per zorgaanbieder", "By care provider"),
    "not_recorded": ("(niet ingevuld)", "(not recorded)"),
    "withdrawals": ("Uitval", "Withdrawals"),
    "withdrawals_total": ("{n} deelnemers vielen uit voor ze een woning kregen.",
                          "{n} participants withdrew before they were housed."),
    "withdrawals_none": ("Niemand is uitgevallen.", "Nobody has withdrawn."),
    "reason": ("Reden", "Reason"),
    "count": ("Aantal", "Count"),
    "small_counts_note": ("Aantallen van 1 tot {n} worden voor uw rol getoond als <{n}.",
                          "Counts from 1 to {n} are shown to your role as <{n}."),
    # research
    "retention_target_line": ("Doel {target}", "Target {target}"),
    "kaplan_meier": ("Kaplan-Meier: wonen zonder negatieve uitstroom",
                     "Kaplan–Meier: housed without a negative exit"),
    "km_caption": ("{events} negatieve uitstroom, {censored} gecensureerd (positieve uitstroom, overlijden "
                   "of nog wonend op de peildatum).", "{events} negative exits, {censored} censored (positive "
                   "exit, death, or still housed on the as-of date)."),
    "km_empty": ("Nog niemand is ingehuisd: de curve volgt na de eerste inhuizing.",
                 "Nobody has moved in yet: the curve follows the first move-in."),
    "days_since_move_in": ("Dagen sinds inhuizing", "Days since move-in"),
    "still_housed": ("Aandeel zonder negatieve uitstroom", "Share without a negative exit"),
    "business_case": ("Businesscase: kosten per deelnemerjaar", "Business case: cost per participant-year"),
    "business_case_empty": ("Er zijn geen kostenparameters geldig op deze datum. De monitor rekent alleen met "
                            "ingevoerde bedragen met bron: voer kosten in voor Housing First (begeleiding, "
                            "woonlasten, eenmalig) en voor het opvangmodel.",
                            "No cost parameters are valid on this date. The monitor only uses entered amounts "
                            "with their source: enter costs for Housing First (support, housing, one-off) and "
                            "for the shelter model."),
    "business_case_partial": ("Voor de vergelijking ontbreken kosten van: {missing}.",
                              "For the comparison, costs are missing for: {missing}."),
    "hf_recurring": ("Housing First, jaarlijks", "Housing First, yearly"),
    "hf_one_off": ("Housing First, eenmalig verdeeld", "Housing First, one-off spread"),
    "shelter_model": ("Opvangmodel", "Shelter model"),
    "housing_first": ("Housing First", "Housing First"),
    "cost_per_year": ("Kosten per deelnemerjaar", "Cost per participant-year"),
    "bc_summary": ("Housing First kost {hf} per deelnemerjaar, het opvangmodel {shelter}: {verdict}.",
                   "Housing First costs {hf} per participant-year, the shelter model {shelter}: {verdict}."),
    "bc_cheaper": ("{diff} goedkoper", "{diff} cheaper"),
    "bc_dearer": ("{diff} duurder", "{diff} more expensive"),
    "bc_one_off_note": ("Eenmalige kosten ({one_off} per deelnemer, {housed} gehuisvest) zijn verdeeld over "
                        "{years} gerealiseerde deelnemerjaren.", "One-off costs ({one_off} per participant, "
                        "{housed} housed) are spread over {years} participant-years lived so far."),
    "cost_parameters": ("Kostenparameters en hun bron", "Cost parameters and their source"),
    "model": ("Model", "Model"),
    "category": ("Categorie", "Category"),
    "label": ("Omschrijving", "Description"),
    "amount": ("Bedrag", "Amount"),
    "unit": ("Eenheid", "Unit"),
    "source": ("Bron", "Source"),
    "valid_from": ("Geldig vanaf", "Valid from"),
    "factors": ("Succes- en faalfactoren", "Success and failure factors"),
    "factors_empty": ("Nog geen factoren vastgelegd voor dit domein.", "No factors recorded for this domain yet."),
    "bottlenecks": ("Open knelpunten", "Open bottlenecks"),
    "bottlenecks_empty": ("Geen open knelpunten op deze datum.", "No open bottlenecks on this date."),
    "owner": ("Eigenaar", "Owner"),
    "raised_on": ("Gemeld op", "Raised on"),
    "domain": ("Domein", "Domain"),
    "observed_on": ("Waargenomen op", "Observed on"),
    "description": ("Omschrijving", "Description"),
    "kind": ("Soort", "Kind"),
    "title": ("Titel", "Title"),
}

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "searching": ("Zoekend (pijplijn)", "Searching (pipeline)"),
        "location_found": ("Locatie gevonden", "Location found"),
        "available": ("Beschikbaar", "Available"),
        "occupied": ("Bewoond", "Occupied"),
        "withdrawn": ("Vervallen", "Withdrawn"),
    },
    "step": {
        "referred": ("Aangemeld", "Referred"),
        "assessed": ("Beoordeeld", "Assessed"),
        "eligible": ("Geschikt bevonden", "Eligible"),
        "matched": ("Gematcht", "Matched"),
        "housed": ("Gehuisvest", "Housed"),
        "housed_now": ("Woont nu", "Housed now"),
        "withdrawn": ("Uitgevallen", "Withdrawn"),
    },
    "building_type": {
        "existing": ("Bestaande bouw", "Existing"),
        "transformation": ("Transformatie", "Transformation"),
        "new_build": ("Nieuwbouw", "New build"),
    },
    "route": {
        "scattered": ("Gespikkeld", "Scattered"),
        "project": ("Projectmatig", "Project"),
    },
    "role": {
        "admin": ("beheerder", "admin"),
        "coordinator": ("coördinator", "coordinator"),
        "researcher": ("onderzoeker", "researcher"),
        "viewer": ("stuurgroep", "viewer"),
    },
    "domain": {
        "support": ("Begeleiding", "Support"),
        "housing": ("Huisvesting", "Housing"),
        "neighbourhood": ("Landen in de wijk", "Neighbourhood"),
        "system": ("Systeem", "System"),
    },
    "factor_kind": {
        "success": ("Succesfactor", "Success factor"),
        "failure": ("Faalfactor", "Failure factor"),
    },
    "bottleneck_status": {
        "open": ("Open", "Open"),
        "in_progress": ("In behandeling", "In progress"),
        "resolved": ("Opgelost", "Resolved"),
    },
    "cost_model": {
        "housing_first": ("Housing First", "Housing First"),
        "shelter": ("Opvangmodel", "Shelter model"),
    },
    "cost_category": {
        "support": ("Begeleiding", "Support"),
        "housing": ("Woonlasten", "Housing costs"),
        "one_off": ("Eenmalig", "One-off"),
        "shelter": ("Opvang", "Shelter"),
    },
    "cost_unit": {
        "per_participant_year": ("per deelnemerjaar", "per participant-year"),
        "one_off_per_participant": ("eenmalig per deelnemer", "one-off per participant"),
    },
    "change": {
        "counter": ("Teller", "Counter"),
        "pipeline": ("Pijplijn", "Pipeline"),
        "ambition": ("Ambitie", "Ambition"),
        "occupied": ("Bewoonde woningen", "Occupied dwellings"),
        "referred": ("Deelnemers aangemeld", "Participants referred"),
        "housed": ("Deelnemers gehuisvest", "Participants housed"),
        "housed_now": ("Deelnemers die nu wonen", "Participants housed now"),
        "withdrawn": ("Deelnemers uitgevallen", "Participants withdrawn"),
        "municipalities": ("Gemeenten in de coalitie", "Municipalities in the coalition"),
    },
}


def default_lang() -> str:
    return get_settings().lang


def pick(lang: str | None) -> str:
    """A supported language: the one asked for, else the configured default."""
    return lang if lang in LANGUAGES else default_lang()


def t(key: str, lang: str, **values) -> str:
    text = TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def label(kind: str, value: str | None, lang: str) -> str:
    if value is None:
        return t("not_recorded", lang)
    names = LABELS[kind].get(value)
    return names[LANGUAGES.index(lang)] if names else value
