"""Texts of the data-entry, upload, register, admin and audit pages, in Dutch (default) and English.
Same shape as `eet.i18n`; kept apart so that the two sets of pages can grow without editing one file."""

from __future__ import annotations

from .i18n import LANGUAGES

TEXT: dict[str, tuple[str, str]] = {
    "page_entry_dwellings": ("Invoer woningen", "Enter dwellings"),
    "page_entry_participants": ("Invoer deelnemers", "Enter participants"),
    "page_upload": ("Lijst uploaden", "Upload a list"),
    "page_registers": ("Registers onderzoek", "Research registers"),
    "page_admin": ("Beheer", "Administration"),
    "page_audit": ("Audittrail", "Audit trail"),
    "tab_new_dwelling": ("Nieuwe woning", "New dwelling"),
    "tab_batch": ("Reeks woningen op één locatie", "Batch at one site"),
    "tab_status": ("Status wijzigen", "Change status"),
    "tab_edit_dwelling": ("Woning bewerken", "Edit dwelling"),
    "tab_new_participant": ("Nieuwe deelnemer", "New participant"),
    "tab_step": ("Stap vastleggen", "Record a step"),
    "tab_correct": ("Stap corrigeren of vervallen", "Correct or void a step"),
    "tab_edit_participant": ("Deelnemer bewerken", "Edit participant"),
    "ref": ("Kenmerk", "Ref"),
    "municipality": ("Gemeente", "Municipality"),
    "corporation": ("Corporatie", "Corporation"),
    "care_provider": ("Zorgaanbieder", "Care provider"),
    "site": ("Locatie (nooit een persoonsnaam)", "Site (never a person's name)"),
    "building_type": ("Bouwtype", "Building type"),
    "route": ("Route", "Route"),
    "status": ("Status", "Status"),
    "status_date": ("Statusdatum", "Status date"),
    "effective_on": ("Met ingang van", "Effective on"),
    "expected_date": ("Verwachte oplevering", "Expected delivery"),
    "prefix": ("Voorvoegsel kenmerk", "Ref prefix"),
    "count": ("Aantal woningen", "Number of dwellings"),
    "first_number": ("Eerste nummer (leeg: volgende vrije)", "First number (empty: next free)"),
    "batch_help": ("Kenmerken worden VOORVOEGSEL-0001, VOORVOEGSEL-0002, …; alles of niets wordt opgeslagen.",
                   "Refs become PREFIX-0001, PREFIX-0002, …; all or nothing is saved."),
    "code": ("Code (pseudoniem)", "Code (pseudonym)"),
    "referrer": ("Toeleider", "Referrer"),
    "central_waiting_list": ("Centrale wachtlijst", "Central waiting list"),
    "referred_on": ("Aangemeld op", "Referred on"),
    "age_band": ("Leeftijdsgroep", "Age band"),
    "event": ("Stap", "Step"),
    "date": ("Datum", "Date"),
    "outcome": ("Uitkomst", "Outcome"),
    "step_kind": ("Soort stap", "Kind of step"),
    "outcome_assessed": ("Uitkomst van de beoordeling", "Outcome of the assessment"),
    "outcome_exited": ("Uitkomst van de uitstroom", "Outcome of the exit"),
    "withdrawal_reason": ("Reden van uitval", "Reason for withdrawal"),
    "dwelling_ref": ("Woning (kenmerk)", "Dwelling (ref)"),
    "note": ("Toelichting (platte tekst, max. 500 tekens)", "Note (plain text, at most 500 characters)"),
    "reason": ("Reden van correctie", "Reason for the correction"),
    "void": ("Stap laten vervallen", "Void the step"),
    "correct": ("Corrigeren", "Correct"),
    "save": ("Opslaan", "Save"),
    "none": ("–", "–"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "unknown": ("onbekend", "unknown"),
    "choose_dwelling": ("Woning", "Dwelling"),
    "choose_participant": ("Deelnemer", "Participant"),
    "choose_step": ("Stap", "Step"),
    "no_rows": ("Er zijn nog geen rijen die u mag bewerken.", "There are no rows you may edit yet."),
    "saved": ("Opgeslagen: {what}", "Saved: {what}"),
    "unchanged": ("Niets gewijzigd: {what} was al zo vastgelegd.", "Nothing changed: {what} was recorded so already."),
    "refused": ("Niet opgeslagen, er is niets gewijzigd. Verbeter de gemarkeerde velden; uw invoer staat er nog.",
                "Not saved, nothing was changed. Correct the marked fields; your input is still there."),
    "denied": ("Niet toegestaan: {why}", "Not allowed: {why}"),
    "version_conflict": ("Iemand anders heeft dit record intussen opgeslagen. Uw invoer staat er nog; herlaad "
                         "het record om de nieuwe stand te zien en sla dan opnieuw op.",
                         "Someone else saved this record in the meantime. Your input is still there; reload "
                         "the record to see the new state, then save again."),
    "reload": ("Record herladen", "Reload the record"),
    "version": ("Versie", "Version"),
    "voided": ("vervallen", "voided"),
    "corrects": ("corrigeert #{id}", "corrects #{id}"),
    "history": ("Stappen van deze deelnemer", "This participant's steps"),
    # upload
    "upload_intro": ("Upload een lijst (.csv of .xlsx). U ziet eerst wat er zou veranderen; er wordt pas iets "
                     "opgeslagen als u bevestigt.", "Upload a list (.csv or .xlsx). You first see what would "
                     "change; nothing is saved until you confirm."),
    "import_kind": ("Soort lijst", "Kind of list"),
    "kind_dwellings": ("Woningen", "Dwellings"),
    "kind_participants": ("Deelnemers", "Participants"),
    "kind_events": ("Stappen (gebeurtenissen)", "Steps (events)"),
    "template": ("Sjabloon met de kolommen", "Template with the columns"),
    "template_csv": ("Sjabloon .csv", "Template .csv"),
    "template_xlsx": ("Sjabloon .xlsx", "Template .xlsx"),
    "file": ("Bestand", "File"),
    # Streamlit's own uploader texts ("Upload", "20MB per file") cannot be translated: said here in words.
    "file_help": ("Sleep het bestand in het vak of kies het met de knop ‘Upload’: één .csv- of .xlsx-bestand "
                  "van hoogstens 20 MB. Er wordt nog niets opgeslagen.", "Drag the file into the box or choose it "
                  "with the Upload button: one .csv or .xlsx file of at most 20 MB. Nothing is saved yet."),
    "outcome_created": ("nieuw", "new"),
    "outcome_changed": ("gewijzigd", "changed"),
    "outcome_unchanged": ("ongewijzigd", "unchanged"),
    "check": ("Controleren (er wordt niets opgeslagen)", "Check (nothing is saved)"),
    "preview_ok": ("Controle geslaagd: {created} nieuw, {changed} gewijzigd, {unchanged} ongewijzigd. "
                   "Er is nog niets opgeslagen.", "Check passed: {created} new, {changed} changed, "
                   "{unchanged} unchanged. Nothing has been saved yet."),
    "preview_errors": ("{n} fout(en): er wordt niets opgeslagen. Verbeter het bestand en upload het opnieuw.",
                       "{n} error(s): nothing will be saved. Correct the file and upload it again."),
    "confirm": ("Bevestigen en opslaan", "Confirm and save"),
    "imported": ("Opgeslagen: {created} nieuw, {changed} gewijzigd, {unchanged} ongewijzigd.",
                 "Saved: {created} new, {changed} changed, {unchanged} unchanged."),
    "file_changed": ("Het bestand is veranderd sinds de controle; controleer het opnieuw.",
                     "The file changed since the check; check it again."),
    "row": ("Rij", "Row"),
    "column": ("Kolom", "Column"),
    "message": ("Melding", "Message"),
    "key": ("Sleutel", "Key"),
    "what": ("Wat", "What"),
    "ignored_columns": ("Genegeerde kolommen: {columns}", "Ignored columns: {columns}"),
    "progress": ("Rij {done} van {total}", "Row {done} of {total}"),
    # registers
    "bottlenecks": ("Knelpunten", "Bottlenecks"),
    "factors": ("Succes- en faalfactoren", "Success and failure factors"),
    "cost_parameters": ("Kostenparameters", "Cost parameters"),
    "new_item": ("Nieuw", "New"),
    "edit_item": ("Bewerken", "Edit"),
    "title": ("Titel", "Title"),
    "domain": ("Domein", "Domain"),
    "owner": ("Eigenaar", "Owner"),
    "raised_on": ("Gemeld op", "Raised on"),
    "resolved_on": ("Opgelost op", "Resolved on"),
    "resolution": ("Oplossing", "Resolution"),
    "kind": ("Soort", "Kind"),
    "description": ("Omschrijving", "Description"),
    "observed_on": ("Waargenomen op", "Observed on"),
    "source": ("Bron", "Source"),
    "model": ("Model", "Model"),
    "category": ("Categorie", "Category"),
    "label": ("Omschrijving", "Description"),
    "amount_eur": ("Bedrag (€)", "Amount (€)"),
    "unit": ("Eenheid", "Unit"),
    "valid_from": ("Geldig vanaf", "Valid from"),
    "valid_to": ("Geldig tot en met", "Valid until"),
    # admin
    "partners": ("Partners", "Partners"),
    "targets": ("Doelen", "Targets"),
    "accounts": ("Accounts", "Accounts"),
    "name": ("Naam", "Name"),
    "org_kind": ("Soort organisatie", "Kind of organisation"),
    "joined_on": ("Aangesloten op", "Joined on"),
    "target_key": ("Doel", "Target"),
    "value": ("Waarde", "Value"),
    "due_on": ("Uiterlijk op", "Due on"),
    "target_note": ("Een nieuw doel is een nieuwe gedateerde regel: eerdere cijfers houden hun doel.",
                    "A new target is a new dated row: earlier figures keep their target."),
    "username": ("Gebruikersnaam", "User name"),
    "password": ("Wachtwoord (min. 10 tekens)", "Password (at least 10 characters)"),
    "role": ("Rol", "Role"),
    "org": ("Organisatie", "Organisation"),
    "add_account": ("Account toevoegen", "Add account"),
    "deactivate": ("Deactiveren", "Deactivate"),
    "activate": ("Activeren", "Activate"),
    "reset_password": ("Nieuw wachtwoord instellen", "Set a new password"),
    "account": ("Account", "Account"),
    # audit
    "who": ("Wie", "Who"),
    "entity": ("Soort record", "Entity"),
    "action": ("Actie", "Action"),
    "date_from": ("Vanaf", "From"),
    "date_to": ("Tot en met", "Until"),
    "all": ("Alle", "All"),
    "audit_count": ("{shown} van {total} wijzigingen", "{shown} of {total} changes"),
    "at": ("Tijdstip (UTC)", "Time (UTC)"),
    "changes": ("Wat veranderde (voor → na)", "What changed (before → after)"),
    "download_csv": ("Downloaden (csv)", "Download (csv)"),
}

EVENT_LABELS = {
    "assessed": ("beoordeeld", "assessed"), "matched": ("gematcht", "matched"),
    "housed": ("gehuisvest (inhuizing)", "housed (move-in)"), "exited": ("uitgestroomd", "exited"),
    "withdrawn": ("uitgevallen", "withdrawn"),
}


def t(key: str, lang: str, **values) -> str:
    text = TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def event_label(kind: str, lang: str) -> str:
    return EVENT_LABELS[kind][LANGUAGES.index(lang)] if kind in EVENT_LABELS else kind


# --- registers, administration and audit pages: texts added with those pages ---------------------
TEXT.update({
    "not_for_role": ("Deze pagina is alleen voor {roles}.", "This page is for {roles} only."),
    "or": ("of", "or"),
    "choose_record": ("Nieuw toevoegen of een bestaande bewerken", "Add a new one or edit an existing one"),
    "new_record": ("+ nieuw", "+ new"),
    "nothing_yet": ("Nog niets vastgelegd.", "Nothing recorded yet."),
    "id": ("Nr.", "No."),
    "registers_intro": ("Wat hier wordt vastgelegd, toont de pagina Onderzoek op elke peildatum. Niets wordt "
                        "verwijderd: een knelpunt wordt opgelost, een kostenparameter eindigt met 'geldig tot'.",
                        "What is recorded here shows on the Research page for every as-of date. Nothing is "
                        "deleted: a bottleneck is resolved, a cost parameter ends through 'valid until'."),
    "cost_help": ("Housing First: begeleiding en woonlasten per deelnemerjaar, eenmalige kosten eenmalig per "
                  "deelnemer. Opvangmodel: opvang per deelnemerjaar. Elk bedrag met zijn bron.",
                  "Housing First: support and housing costs per participant-year, one-off costs once per "
                  "participant. Shelter model: shelter per participant-year. Every amount with its source."),
    "amount_help": ("In euro's, bijvoorbeeld 12500.50", "In euros, for example 12500.50"),
    "org_note": ("Toelichting", "Note"),
    "partner_help": ("Een partner telt in de coalitie mee vanaf de datum van aansluiten; een organisatie voor "
                     "toeleiding en toegang heeft die datum niet nodig.", "A partner counts in the coalition "
                     "from the date it joined; an access and referral organisation needs no such date."),
    "target_history": ("Alle doelen, ook eerdere (het doel op een datum is de laatste regel die dan geldt)",
                       "Every target, earlier ones included (the target on a date is the latest row valid then)"),
    "target_value_help": ("Woningen en deelnemers: een heel getal. Behoud: een aandeel van 0 tot 1 (0,9 is 90%).",
                          "Dwellings and participants: a whole number. Retention: a share from 0 to 1 "
                          "(0.9 is 90%)."),
    "add_target": ("Nieuw doel vastleggen", "Record a new target"),
    "active": ("Actief", "Active"),
    "locked_until": ("Geblokkeerd tot (UTC)", "Locked until (UTC)"),
    "created_at": ("Aangemaakt (UTC)", "Created (UTC)"),
    "demo_account": ("Demo-account", "Demo account"),
    "account_status": ("Account deactiveren of activeren", "Deactivate or reactivate an account"),
    "new_password": ("Nieuw wachtwoord (min. 10 tekens)", "New password (at least 10 characters)"),
    "password_note": ("Een wachtwoord wordt nooit getoond, opgeslagen of vastgelegd in de audittrail; geef "
                      "het zelf door aan de gebruiker. Een nieuw wachtwoord heft ook een blokkade op.",
                      "A password is never shown, stored in clear or written to the audit trail; hand it "
                      "to the user yourself. A new password also lifts a lockout."),
    "deactivated": ("gedeactiveerd", "deactivated"),
    "activated": ("geactiveerd", "activated"),
    "password_set": ("nieuw wachtwoord ingesteld", "new password set"),
    "no_records": ("Geen wijzigingen die aan deze filters voldoen.", "No changes match these filters."),
    "audit_limit": ("Getoond en in de csv: de nieuwste {limit}. Verfijn de filters voor oudere wijzigingen.",
                    "Shown and in the csv: the newest {limit}. Narrow the filters for older changes."),
    "audit_dates": ("De datum 'vanaf' ligt na 'tot en met'.", "The 'from' date lies after the 'until' date."),
    "record_detail": ("Voor en na van één wijziging", "Before and after of one change"),
    "field": ("Veld", "Field"),
    "before": ("Voor", "Before"),
    "after": ("Na", "After"),
    "entity_id": ("Record", "Record"),
    "door": ("Via", "Through"),
    "no_values": ("Bij deze wijziging zijn geen waarden vastgelegd (zoals bij inloggen).",
                  "No values were recorded with this change (as with a sign-in)."),
})

CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "outcome": {
        "eligible": ("geschikt", "eligible"),
        "not_eligible": ("niet geschikt", "not eligible"),
        "positive": ("positief", "positive"),
        "negative": ("negatief", "negative"),
        "deceased": ("overleden", "deceased"),
    },
    "org_kind": {
        "municipality": ("Gemeente", "Municipality"),
        "care_provider": ("Zorgaanbieder", "Care provider"),
        "housing_corporation": ("Woningcorporatie", "Housing corporation"),
        "referral": ("Toeleiding en toegang", "Access and referral"),
    },
    "target": {
        "dwellings": ("Woningen", "Dwellings"),
        "participants": ("Deelnemers", "Participants"),
        "retention": ("Behoud na 12 maanden", "Retention at 12 months"),
    },
    "audit_action": {
        "create": ("toegevoegd", "created"),
        "update": ("gewijzigd", "updated"),
        "correct": ("gecorrigeerd", "corrected"),
        "void": ("vervallen", "voided"),
        "activate": ("geactiveerd", "activated"),
        "deactivate": ("gedeactiveerd", "deactivated"),
        "reset_password": ("nieuw wachtwoord", "password reset"),
        "sign_in": ("ingelogd", "signed in"),
        "sign_in_failed": ("inloggen mislukt", "sign-in failed"),
        "sign_in_locked": ("inloggen tijdens blokkade", "sign-in while locked"),
    },
    "audit_source": {
        "form": ("formulier", "form"),
        "demo": ("demodata", "demo data"),
        "cli": ("opdrachtregel", "command line"),
        "sign-in": ("inloggen", "sign-in"),
    },
    "audit_entity": {
        "dwelling": ("woning", "dwelling"),
        "dwelling_status_change": ("statuswijziging woning", "dwelling status change"),
        "participant": ("deelnemer", "participant"),
        "participant_event": ("stap deelnemer", "participant step"),
        "organisation": ("organisatie", "organisation"),
        "target": ("doel", "target"),
        "user": ("account", "account"),
        "bottleneck": ("knelpunt", "bottleneck"),
        "factor": ("succes-/faalfactor", "success/failure factor"),
        "cost_parameter": ("kostenparameter", "cost parameter"),
        "review_meeting": ("evaluatievergadering", "review meeting"),
        "decision": ("besluit", "decision"),
    },
}


def code_label(kind: str, code: str | None, lang: str) -> str:
    """A code value of these pages in words; a code without a name is shown as it is."""
    if code is None:
        return TEXT["none"][0]
    names = CODE_LABELS[kind].get(code)
    return names[LANGUAGES.index(lang)] if names else code
