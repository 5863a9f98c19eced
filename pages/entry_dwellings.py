"""Invoer woningen: add a dwelling or a batch at one site, change a status with its date, edit a
dwelling. Every form hands its values to eet.data_entry; a refusal keeps the input and marks the field."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.entry import data_entry
from eet.texts import label, t
from eet.store.models import BUILDING_TYPES, DWELLING_STATUSES, ROUTES
from eet.entry import organisations

actor, lang, _ = ui.context()
st.title(t("page_entry_dwellings", lang))
ui.demo_banner(lang)

municipalities = [name for _, name in ui.read(organisations.partners, "municipality")]
corporations = [name for _, name in ui.read(organisations.partners, "housing_corporation")]
providers = [name for _, name in ui.read(organisations.partners, "care_provider")]
today = date.today()
DETAILS = ("municipality", "corporation", "care_provider", "site", "building_type", "route", "status",
           "status_date", "expected_date")


def optional(options):
    return [None, *options]


def dash(fn=None):
    return lambda v: t("none", lang) if v is None else (fn(v) if fn else v)


def detail_widgets(form: str, p: str, with_status: bool = True) -> None:
    """The shared fields of a dwelling, each followed by its error if refused."""
    c1, c2, c3 = st.columns(3)
    with c1:
        st.selectbox(t("municipality", lang), optional(municipalities), key=f"{p}_municipality", format_func=dash())
        fx.field_error(form, "municipality")
    with c2:
        st.selectbox(t("corporation", lang), optional(corporations), key=f"{p}_corporation", format_func=dash())
        fx.field_error(form, "corporation")
    with c3:
        st.selectbox(t("care_provider", lang), optional(providers), key=f"{p}_care_provider", format_func=dash())
        fx.field_error(form, "care_provider")
    st.text_input(t("site", lang), key=f"{p}_site", max_chars=120)
    fx.field_error(form, "site")
    c1, c2, c3 = st.columns(3)
    with c1:
        st.selectbox(t("building_type", lang), optional(BUILDING_TYPES), key=f"{p}_building_type",
                     format_func=dash(lambda v: label("building_type", v, lang)))
    with c2:
        st.selectbox(t("route", lang), optional(ROUTES), key=f"{p}_route",
                     format_func=dash(lambda v: label("route", v, lang)))
    with c3:
        st.date_input(t("expected_date", lang), value=None, key=f"{p}_expected_date", format="DD-MM-YYYY")
        fx.field_error(form, "expected_date")
    if with_status:
        c1, c2 = st.columns(2)
        with c1:
            st.selectbox(t("status", lang), DWELLING_STATUSES, key=f"{p}_status",
                         format_func=lambda v: label("status", v, lang))
            fx.field_error(form, "status")
        with c2:
            st.date_input(t("status_date", lang), value=None, max_value=today, key=f"{p}_status_date",
                          format="DD-MM-YYYY")
            fx.field_error(form, "status_date")


new_tab, batch_tab, status_tab, edit_tab = st.tabs(
    [t("tab_new_dwelling", lang), t("tab_batch", lang), t("tab_status", lang), t("tab_edit_dwelling", lang)])

with new_tab:
    with st.form("new_dwelling"):
        st.text_input(t("ref", lang), key="nd_ref", max_chars=40, placeholder="UTR-0001")
        fx.field_error("new_dwelling", "ref")
        detail_widgets("new_dwelling", "nd")
        st.form_submit_button(
            t("save", lang), type="primary", on_click=fx.submit,
            args=("new_dwelling", data_entry.add_dwelling),
            kwargs={"values": lambda: fx.values("nd", ("ref",) + DETAILS),
                    "clear": tuple(f"nd_{name}" for name in ("ref",) + DETAILS)})
    fx.outcome("new_dwelling", lang, ("ref",) + DETAILS)

with batch_tab:
    st.caption(t("batch_help", lang))
    with st.form("batch"):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.text_input(t("prefix", lang), key="bt_prefix", max_chars=30, placeholder="UTR")
            fx.field_error("batch", "prefix")
        with c2:
            st.number_input(t("count", lang), min_value=1, max_value=data_entry.BATCH_MAX, value=1, step=1,
                            key="bt_count")
            fx.field_error("batch", "count")
        with c3:
            st.number_input(t("first_number", lang), min_value=1, value=None, step=1, key="bt_first_number")
            fx.field_error("batch", "first_number")
        detail_widgets("batch", "bt")

        def batch_write(session, who, values):
            return ", ".join(data_entry.add_dwelling_batch(
                session, who, values, fx.value("bt_prefix") or "", int(st.session_state["bt_count"]),
                fx.value("bt_first_number")))

        st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit, args=("batch", batch_write),
                              kwargs={"values": lambda: fx.values("bt", DETAILS), "fields": {"ref": "prefix"}})
    fx.outcome("batch", lang, ("prefix", "count", "first_number") + DETAILS)

refs = ui.read(data_entry.dwelling_refs, actor)


def open_record(ref_key: str, prefix: str) -> None:
    """Load the chosen dwelling into the form's widgets, with the version it was opened at."""
    ref = st.session_state.get(ref_key)
    st.session_state.pop(f"_errors_{prefix}", None)
    if not ref:
        return
    record = ui.read(data_entry.dwelling_for_edit, actor, ref)
    st.session_state[f"{prefix}_version"] = record["version"]
    if prefix == "ed":
        for name in DETAILS:
            st.session_state[f"ed_{name}"] = record[name]
    else:
        st.session_state["st_current"] = (record["status"], record["status_date"])


with status_tab:
    if not refs:
        st.info(t("no_rows", lang))
    else:
        st.selectbox(t("choose_dwelling", lang), optional(refs), key="st_ref", format_func=dash(),
                     on_change=open_record, args=("st_ref", "st"))
        current = st.session_state.get("st_current")
        if st.session_state.get("st_ref") and current:
            st.caption(f"{label('status', current[0], lang)} · {current[1].strftime('%d-%m-%Y')} · "
                       f"{t('version', lang)} {st.session_state.get('st_version')}")
        with st.form("status"):
            c1, c2 = st.columns(2)
            with c1:
                st.selectbox(t("status", lang), DWELLING_STATUSES, key="st_status",
                             format_func=lambda v: label("status", v, lang))
                fx.field_error("status", "status")
            with c2:
                st.date_input(t("effective_on", lang), value=None, max_value=today, key="st_effective_on",
                              format="DD-MM-YYYY")
                fx.field_error("status", "effective_on")
            fx.field_error("status", "ref")

            def status_write(session, who, values):
                result = data_entry.change_status(session, who, values,
                                                  expected_version=st.session_state.get("st_version"))
                record = data_entry.dwelling_for_edit(session, who, values["ref"])
                st.session_state["st_version"] = record["version"]
                st.session_state["st_current"] = (record["status"], record["status_date"])
                return values["ref"] + ": " + result

            st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                                  args=("status", status_write),
                                  kwargs={"values": lambda: fx.values("st", ("ref", "status", "effective_on"))})
        fx.outcome("status", lang, ("ref", "status", "effective_on"))
        if "version" in fx.errors("status"):
            st.button(t("reload", lang), key="st_reload", on_click=open_record, args=("st_ref", "st"))

with edit_tab:
    if not refs:
        st.info(t("no_rows", lang))
    else:
        st.selectbox(t("choose_dwelling", lang), optional(refs), key="ed_ref", format_func=dash(),
                     on_change=open_record, args=("ed_ref", "ed"))
        if st.session_state.get("ed_ref"):
            st.caption(f"{t('version', lang)} {st.session_state.get('ed_version')}")
            with st.form("edit_dwelling"):
                detail_widgets("edit_dwelling", "ed")

                def edit_write(session, who, values):
                    ref = st.session_state["ed_ref"]
                    result = data_entry.edit_dwelling(session, who, ref, values, st.session_state.get("ed_version"))
                    st.session_state["ed_version"] = data_entry.dwelling_for_edit(session, who, ref)["version"]
                    return ref + ": " + result

                st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                                      args=("edit_dwelling", edit_write),
                                      kwargs={"values": lambda: fx.values("ed", DETAILS)})
            fx.outcome("edit_dwelling", lang, DETAILS)
            if "version" in fx.errors("edit_dwelling"):
                st.button(t("reload", lang), key="ed_reload", on_click=open_record, args=("ed_ref", "ed"))
