"""Audittrail: who changed what, when and through which door, with the values before and after. Filters
by who, kind of record, action and a date range; the matching records as a table, one record's before
and after field by field, and a csv download. Admin only; eet.audit_view refuses every other role."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.accounts.access import SYSTEM
from eet.store import audit_trail as audit_view
from eet.store import session_scope
from eet.texts import formatting as fmt
from eet.texts import code_label, label, t

actor, lang, _ = ui.context()
if not actor.is_admin:
    st.warning(t("not_for_role", lang, roles=label("role", "admin", lang)))
    st.stop()
st.title(t("page_audit", lang))
ui.demo_banner(lang)
date_format = ui.DATE_FORMAT


def moment(value) -> str:
    """A recorded moment in Amsterdam time."""
    return audit_view.moment(value, lang)


def shown(value) -> str:
    """A value from a record's before or after, as text (booleans in words)."""
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    return fmt.MISSING if value is None else str(value)


def person(name: str | None) -> str:
    """Who, as a person reads it: the account's name, or what 'system' stands for (an import, the
    start-up, the command line), in the page's language."""
    return t("audit_system", lang) if name == SYSTEM.username else fmt.MISSING if name is None else name


def who_text(row: dict) -> str:
    """The account and its role in one cell (two cells cut the table off on a tablet)."""
    if row["actor"] == SYSTEM.username or not row["role"]:
        return person(row["actor"])
    return f'{row["actor"]} ({label("role", row["role"], lang)})'


def door(source: str | None) -> str:
    """Through which door: a form, an import of a named file, the command line, a sign-in."""
    if source and source.startswith("import:"):
        return "import: " + source.removeprefix("import:")
    return shown(source) if source is None else code_label("audit_source", source, lang)


def changes(row: dict) -> str:
    return "; ".join(f"{field}: {before} → {after}"
                     for field, before, after in audit_view.readable_changes(row, lang, named))


# Read afresh on every run, not through ui.read: a sign-in is recorded without a new data version,
# so a cached read would miss it until the next change of data.
with session_scope(ui.engine()) as session:
    choices = audit_view.choices(session, actor)
# Two rows: five filters side by side cut the dates off on a tablet (820 px).
c1, c2, c3 = st.columns(3)
c4, c5, _ = st.columns(3)
who = c1.selectbox(t("who", lang), [None, *choices["actor"]], key="au_actor",
                   format_func=lambda v: t("all", lang) if v is None else person(v))
entity = c2.selectbox(t("entity", lang), [None, *choices["entity"]], key="au_entity",
                      format_func=lambda v: t("all", lang) if v is None else code_label("audit_entity", v, lang))
action = c3.selectbox(t("action", lang), [None, *choices["action"]], key="au_action",
                      format_func=lambda v: t("all", lang) if v is None else code_label("audit_action", v, lang))
date_from = c4.date_input(t("date_from", lang), value=None, max_value=date.today(), key="au_from", format=date_format)
date_to = c5.date_input(t("date_to", lang), value=None, max_value=date.today(), key="au_to", format=date_format)
if date_from and date_to and date_from > date_to:
    st.warning(t("audit_dates", lang))

with session_scope(ui.engine()) as session:
    rows, total = audit_view.audit_rows(session, actor, audit_view.AuditFilter(
        actor=who, entity=entity, action=action, date_from=date_from, date_to=date_to))
st.caption(t("audit_count", lang, shown=fmt.number(len(rows), lang), total=fmt.number(total, lang)))
if total > len(rows):
    st.caption(t("audit_limit", lang, limit=fmt.number(len(rows), lang)))
if not rows:
    st.info(t("no_records", lang))
    st.stop()
with session_scope(ui.engine()) as session:
    named = audit_view.names(session, rows)  # ids in before/after by name (Gemeente 4: Utrecht)
    subjects = audit_view.subjects(session, rows)  # the records by name (account 4: coordinator.utrecht)

# Cells of text: a value someone typed (a note, a title) is never read as markdown or HTML.
fx.dataframe({
    t("audit_at", lang): [moment(r["at"]) for r in rows],
    t("who", lang): [who_text(r) for r in rows],
    t("action", lang): [code_label("audit_action", r["action"], lang) for r in rows],
    # The kind of record and its name in one cell: eight columns did not fit a tablet.
    t("entity_id", lang): [audit_view.subject_text(r, lang, subjects) for r in rows],
    t("door", lang): [door(r["source"]) for r in rows],
    t("changes", lang): [changes(r) for r in rows],
}, hide_index=True, key="au_table", wrap_px=260, height=620)
st.download_button(t("download_csv", lang), audit_view.to_csv(rows), file_name="audittrail.csv", mime="text/csv",
                   key="au_csv", on_click="ignore")

st.subheader(t("record_detail", lang))
by_id = {r["id"]: r for r in rows}
chosen = st.selectbox(t("entity_id", lang), list(by_id), key="au_record",
                      format_func=lambda i: f"{moment(by_id[i]['at'])} · {person(by_id[i]['actor'])} · "
                                            f"{code_label('audit_action', by_id[i]['action'], lang)} · "
                                            f"{audit_view.subject_text(by_id[i], lang, subjects)}")
fields = audit_view.readable_changes(by_id[chosen], lang, named) if chosen in by_id else []
if not fields:
    st.caption(t("no_values", lang))
else:
    fx.dataframe({t("field", lang): [field for field, _, _ in fields],
                  t("before", lang): [before for _, before, _ in fields],
                  t("after", lang): [after for _, _, after in fields]},
                 hide_index=True, key="au_detail")
