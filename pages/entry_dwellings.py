"""Invoer woningen: add a dwelling or a batch at one site, change a status with its date, edit a
dwelling. Every form hands its values to eet.entry.data_entry; a refusal keeps the input and marks the field."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.entry import data_entry, next_step
from eet.texts import formatting as fmt
from eet.texts import label, t
from eet.store.models import BUILDING_TYPES, DWELLING_STATUSES, ROUTES
from eet.entry import organisations

actor, lang, _ = ui.context()
st.title(t("page_entry_dwellings", lang))
ui.demo_banner(lang)

# Only what the actor may put on a dwelling: a coordinator's own organisation where it is of the kind.
municipalities = [name for _, name in ui.read(organisations.choosable, actor, "municipality")]
corporations = [name for _, name in ui.read(organisations.choosable, actor, "housing_corporation")]
providers = [name for _, name in ui.read(organisations.choosable, actor, "care_provider")]
today = date.today()
DETAILS = ("municipality", "corporation", "care_provider", "site", "building_type", "route", "status",
           "status_date", "expected_date")


def optional(options):
    return [None, *options]


def dash(fn=None):
    return lambda v: t("none", lang) if v is None else (fn(v) if fn else v)


def detail_widgets(form: fx.Form, with_status: bool = True) -> None:
    """The shared fields of a dwelling, each followed by its error if refused."""
    c1, c2, c3 = st.columns(3)
    form.field(c1.selectbox, "municipality", optional(municipalities), format_func=dash())
    form.field(c2.selectbox, "corporation", optional(corporations), format_func=dash())
    form.field(c3.selectbox, "care_provider", optional(providers), format_func=dash())
    form.field(st.text_input, "site", max_chars=120)
    c1, c2, c3 = st.columns(3)
    form.field(c1.selectbox, "building_type", optional(BUILDING_TYPES),
               format_func=dash(lambda v: label("building_type", v, lang)))
    form.field(c2.selectbox, "route", optional(ROUTES), format_func=dash(lambda v: label("route", v, lang)))
    form.field(c3.date_input, "expected_date", value=None, format="DD-MM-YYYY")
    if with_status:
        c1, c2 = st.columns(2)
        form.field(c1.selectbox, "status", DWELLING_STATUSES, format_func=lambda v: label("status", v, lang))
        form.field(c2.date_input, "status_date", value=None, format="DD-MM-YYYY")


new_tab, batch_tab, status_tab, edit_tab = st.tabs(
    [t("tab_new_dwelling", lang), t("tab_batch", lang), t("tab_status", lang), t("tab_edit_dwelling", lang)])

def preselect_single(key: str, options: list) -> None:
    """A choice with one possible option (a coordinator's own municipality) is chosen already."""
    if len(options) == 1 and st.session_state.get(key) is None:
        st.session_state[key] = options[0]


with new_tab:
    form = fx.Form("new_dwelling", "nd", lang)
    if not st.session_state.get("nd_ref"):  # a ref not in use, proposed (UTR-0001 was taken)
        st.session_state["nd_ref"] = ui.read(next_step.free_ref, actor)
    preselect_single("nd_municipality", municipalities)
    with st.form(form.name):
        form.field(st.text_input, "ref", max_chars=40, placeholder="UTR-0001")
        detail_widgets(form)
        form.save_button(data_entry.add_dwelling, ("ref",) + DETAILS)
    form.outcome(("ref",) + DETAILS)

with batch_tab:
    st.caption(t("batch_help", lang))
    form = fx.Form("batch", "bt", lang)
    preselect_single("bt_municipality", municipalities)
    with st.form(form.name):
        c1, c2, c3 = st.columns(3)
        form.field(c1.text_input, "prefix", max_chars=30, placeholder="UTR")
        form.field(c2.number_input, "count", min_value=1, max_value=data_entry.BATCH_MAX, value=1, step=1)
        form.field(c3.number_input, "first_number", min_value=1, value=None, step=1)
        detail_widgets(form)

        def batch_write(session, who, values):
            return ", ".join(data_entry.add_dwelling_batch(
                session, who, values, fx.value("bt_prefix") or "", int(st.session_state["bt_count"]),
                fx.value("bt_first_number")))

        form.save_button(batch_write, DETAILS, clear=False, fields={"ref": "prefix"})
    form.outcome(("prefix", "count", "first_number") + DETAILS)

refs = ui.read(data_entry.dwelling_refs, actor)


def open_record(ref_key: str, prefix: str) -> None:
    """Load the chosen dwelling into the form's widgets, with the version it was opened at."""
    ref = fx.chosen(ref_key, refs)  # a typed ref that is none of this actor's: nothing to load
    st.session_state.pop(f"_errors_{prefix}", None)
    if not ref:
        st.session_state.pop("st_current", None)  # no dwelling's status beside what was typed
        return
    record = ui.read(data_entry.dwelling_for_edit, actor, ref)
    st.session_state[f"{prefix}_version"] = record["version"]
    if prefix == "ed":
        for name in DETAILS:
            st.session_state[f"ed_{name}"] = record[name]
    else:
        st.session_state["st_current"] = (record["status"], record["status_date"])


def choose_dwelling(prefix: str) -> bool:
    """Above a tab's form: the dwelling it works on (choosing one loads it). False when there are
    no dwellings this actor may edit."""
    if not refs:
        st.info(t("no_rows", lang))
        return False
    # Typed beyond fx.CHOICE_LIMIT (national size), loaded on Enter.
    fx.code_box(st, t("choose_dwelling", lang), refs, f"{prefix}_ref", lang,
                on_change=open_record, args=(f"{prefix}_ref", prefix))
    return True


with status_tab:
    if choose_dwelling("st"):
        current = st.session_state.get("st_current")
        if st.session_state.get("st_ref") and current:
            st.caption(f"{label('status', current[0], lang)} · {fmt.short_date(current[1], lang)} · "
                       f"{t('version', lang)} {fmt.number(st.session_state.get('st_version'), lang)}")
        form = fx.Form("status", "st", lang)
        with st.form(form.name):
            c1, c2 = st.columns(2)
            form.field(c1.selectbox, "status", DWELLING_STATUSES, format_func=lambda v: label("status", v, lang))
            form.field(c2.date_input, "effective_on", value=None, format="DD-MM-YYYY")
            form.error("ref")

            def status_write(session, who, values):
                result = data_entry.change_status(session, who, values,
                                                  expected_version=st.session_state.get("st_version"))
                record = data_entry.dwelling_for_edit(session, who, values["ref"])
                st.session_state["st_version"] = record["version"]
                st.session_state["st_current"] = (record["status"], record["status_date"])
                return values["ref"] + ": " + t(f"outcome_{result}", lang)  # the outcome in words, not its code

            form.save_button(status_write, ("ref", "status", "effective_on"), clear=False)
        form.outcome(("ref", "status", "effective_on"))
        form.reload_button(open_record, "st_ref", "st")

with edit_tab:
    if choose_dwelling("ed"):
        if st.session_state.get("ed_ref"):
            st.caption(f"{t('version', lang)} {fmt.number(st.session_state.get('ed_version'), lang)}")
            form = fx.Form("edit_dwelling", "ed", lang)
            with st.form(form.name):
                detail_widgets(form)

                def edit_write(session, who, values):
                    ref = st.session_state["ed_ref"]
                    result = data_entry.edit_dwelling(session, who, ref, values, st.session_state.get("ed_version"))
                    st.session_state["ed_version"] = data_entry.dwelling_for_edit(session, who, ref)["version"]
                    return ref + ": " + t(f"outcome_{result}", lang)

                form.save_button(edit_write, DETAILS, clear=False)
            form.outcome(DETAILS)
            form.reload_button(open_record, "ed_ref", "ed")
