"""Registers onderzoek: the living lab's system bottlenecks, success and failure factors, and the cost
parameters of the business case, each as a table of what is there and a form to add a row or edit one.
Researchers and the admin only; eet.living_lab validates, refuses other roles and audits every write."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.texts import formatting as fmt
from eet.entry import living_lab
from eet.texts import label, t
from eet.store.models import BOTTLENECK_STATUSES, COST_CATEGORIES, COST_MODELS, COST_UNITS, FACTOR_DOMAINS, FACTOR_KINDS
from eet.store.models import PAYERS  # issue 17

actor, lang, _ = ui.context()
if actor.role not in living_lab.EDITORS:
    st.warning(t("not_for_role", lang, roles=f" {t('or', lang)} ".join(
        label("role", role, lang) for role in living_lab.EDITORS)))
    st.stop()
st.title(t("page_registers", lang))
ui.demo_banner(lang)
st.caption(t("registers_intro", lang))
today = date.today()
date_format = "DD-MM-YYYY" if lang == "nl" else "YYYY-MM-DD"
BOTTLENECK = ("title", "domain", "owner", "status", "raised_on", "resolved_on", "resolution")
FACTOR = ("domain", "kind", "description", "observed_on", "source")
COST = ("model", "category", "label", "amount_eur", "unit", "source", "valid_from", "valid_to",
        "payer", "low_eur", "high_eur")  # issue 17: who pays, and the sensitivity range


def day(value) -> str:
    return fmt.short_date(value, lang)


def text(value) -> str:
    return "" if value is None else str(value)


def table(rows: list[dict], columns: dict, key: str) -> None:
    """What is there, as cells of text (a dataframe never reads a cell as markdown or HTML)."""
    if not rows:
        st.info(t("nothing_yet", lang))
        return
    fx.dataframe({t("id", lang): [str(row["id"]) for row in rows]}
                 | {title: [cell(row) for row in rows] for title, cell in columns.items()},
                 hide_index=True, key=key,
                 column_config={t("id", lang): st.column_config.Column(width="small", alignment="right")})


def edit_write(prefix: str, save, name: str, versioned: bool = False):
    """The form's write: a new row when "+ new" is chosen, else the chosen row (at the version it was
    loaded, when the register keeps versions)."""
    def write(session, who, values):
        chosen = st.session_state.get(f"{prefix}_id")
        kwargs = {"expected_version": st.session_state.get(f"{prefix}_version")} if versioned and chosen else {}
        saved = save(session, who, values, chosen, **kwargs)
        if versioned and chosen:
            rows = living_lab.bottlenecks(session, who)
            st.session_state[f"{prefix}_version"] = next(row["version"] for row in rows if row["id"] == saved)
        return f"#{saved} {values[name] or ''}"
    return write


def submit_button(form: str, prefix: str, fields: tuple[str, ...], write) -> None:
    new = st.session_state.get(f"{prefix}_id") is None
    st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit, args=(form, write),
                          kwargs={"values": lambda: fx.values(prefix, fields),
                                  "clear": tuple(f"{prefix}_{name}" for name in fields) if new else ()})


bottleneck_tab, factor_tab, cost_tab = st.tabs([t("bottlenecks", lang), t("factors", lang), t("cost_parameters", lang)])

with bottleneck_tab:
    rows = ui.read(living_lab.bottlenecks, actor)
    table(rows, {
        t("title", lang): lambda r: r["title"],
        t("domain", lang): lambda r: label("domain", r["domain"], lang),
        t("owner", lang): lambda r: text(r["owner"]),
        t("status", lang): lambda r: label("bottleneck_status", r["status"], lang),
        t("raised_on", lang): lambda r: day(r["raised_on"]),
        t("resolved_on", lang): lambda r: day(r["resolved_on"]),
        t("resolution", lang): lambda r: text(r["resolution"]),
    }, "bn_table")
    reload = fx.record_picker("bottleneck", "bn", rows, BOTTLENECK, lambda r: r["title"], lang,
                              lambda: ui.read(living_lab.bottlenecks, actor))
    if st.session_state.get("bn_id") is not None:
        st.caption(f"{t('version', lang)} {st.session_state.get('bn_version')}")
    with st.form("bottleneck"):
        st.text_input(t("title", lang), key="bn_title", max_chars=200)
        fx.field_error("bottleneck", "title")
        c1, c2, c3 = st.columns(3)
        with c1:
            st.selectbox(t("domain", lang), living_lab.BOTTLENECK_DOMAINS, key="bn_domain",
                         format_func=lambda v: label("domain", v, lang))
            fx.field_error("bottleneck", "domain")
        with c2:
            st.text_input(t("owner", lang), key="bn_owner", max_chars=120)
            fx.field_error("bottleneck", "owner")
        with c3:
            st.selectbox(t("status", lang), BOTTLENECK_STATUSES, key="bn_status",
                         format_func=lambda v: label("bottleneck_status", v, lang))
            fx.field_error("bottleneck", "status")
        c1, c2 = st.columns(2)
        with c1:
            st.date_input(t("raised_on", lang), value=None, max_value=today, key="bn_raised_on", format=date_format)
            fx.field_error("bottleneck", "raised_on")
        with c2:
            st.date_input(t("resolved_on", lang), value=None, max_value=today, key="bn_resolved_on",
                          format=date_format)
            fx.field_error("bottleneck", "resolved_on")
        st.text_area(t("resolution", lang), key="bn_resolution", max_chars=2000, height=100)
        fx.field_error("bottleneck", "resolution")
        submit_button("bottleneck", "bn", BOTTLENECK,
                      edit_write("bn", living_lab.save_bottleneck, "title", versioned=True))
    fx.outcome("bottleneck", lang, BOTTLENECK)
    if "version" in fx.errors("bottleneck"):
        st.button(t("reload", lang), key="bn_reload", on_click=reload)

with factor_tab:
    rows = ui.read(living_lab.factors, actor)
    table(rows, {
        t("domain", lang): lambda r: label("domain", r["domain"], lang),
        t("kind", lang): lambda r: label("factor_kind", r["kind"], lang),
        t("description", lang): lambda r: r["description"],
        t("observed_on", lang): lambda r: day(r["observed_on"]),
        t("source", lang): lambda r: text(r["source"]),
    }, "fc_table")
    fx.record_picker("factor", "fc", rows, FACTOR,
                     lambda r: f"{label('factor_kind', r['kind'], lang)} · {r['description'][:60]}", lang,
                     lambda: ui.read(living_lab.factors, actor))
    with st.form("factor"):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.selectbox(t("domain", lang), FACTOR_DOMAINS, key="fc_domain",
                         format_func=lambda v: label("domain", v, lang))
            fx.field_error("factor", "domain")
        with c2:
            st.selectbox(t("kind", lang), FACTOR_KINDS, key="fc_kind",
                         format_func=lambda v: label("factor_kind", v, lang))
            fx.field_error("factor", "kind")
        with c3:
            st.date_input(t("observed_on", lang), value=None, max_value=today, key="fc_observed_on",
                          format=date_format)
            fx.field_error("factor", "observed_on")
        st.text_area(t("description", lang), key="fc_description", max_chars=2000, height=100)
        fx.field_error("factor", "description")
        st.text_input(t("source", lang), key="fc_source", max_chars=200)
        fx.field_error("factor", "source")
        submit_button("factor", "fc", FACTOR, edit_write("fc", living_lab.save_factor, "description"))
    fx.outcome("factor", lang, FACTOR)

with cost_tab:
    rows = ui.read(living_lab.cost_parameters, actor)
    table(rows, {
        t("model", lang): lambda r: label("cost_model", r["model"], lang),
        t("category", lang): lambda r: label("cost_category", r["category"], lang),
        t("label", lang): lambda r: r["label"],
        t("amount_eur", lang): lambda r: fmt.number(r["amount_eur"], lang, 2),
        t("unit", lang): lambda r: label("cost_unit", r["unit"], lang),
        t("source", lang): lambda r: r["source"],
        t("valid_from", lang): lambda r: day(r["valid_from"]),
        t("valid_to", lang): lambda r: day(r["valid_to"]),
    }, "cp_table")
    st.caption(t("cost_help", lang))
    fx.record_picker("cost_parameter", "cp", rows, COST,
                     lambda r: f"{label('cost_model', r['model'], lang)} · {r['label']} · "
                               f"{fmt.short_date(r['valid_from'], lang)}", lang,
                     lambda: ui.read(living_lab.cost_parameters, actor))
    with st.form("cost_parameter"):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.selectbox(t("model", lang), COST_MODELS, key="cp_model", format_func=lambda v: label("cost_model", v, lang))
            fx.field_error("cost_parameter", "model")
        with c2:
            st.selectbox(t("category", lang), COST_CATEGORIES, key="cp_category",
                         format_func=lambda v: label("cost_category", v, lang))
            fx.field_error("cost_parameter", "category")
        with c3:
            st.selectbox(t("unit", lang), COST_UNITS, key="cp_unit", format_func=lambda v: label("cost_unit", v, lang))
            fx.field_error("cost_parameter", "unit")
        c1, c2 = st.columns([2, 1])
        with c1:
            st.text_input(t("label", lang), key="cp_label", max_chars=200)
            fx.field_error("cost_parameter", "label")
        with c2:
            st.number_input(t("amount_eur", lang), value=None, step=100.0, format="%.2f", key="cp_amount_eur",
                            help=t("amount_help", lang))
            fx.field_error("cost_parameter", "amount_eur")
        st.text_input(t("source", lang), key="cp_source", max_chars=300)
        fx.field_error("cost_parameter", "source")
        c1, c2 = st.columns(2)
        with c1:
            st.date_input(t("valid_from", lang), value=None, key="cp_valid_from", format=date_format)
            fx.field_error("cost_parameter", "valid_from")
        with c2:
            st.date_input(t("valid_to", lang), value=None, key="cp_valid_to", format=date_format)
            fx.field_error("cost_parameter", "valid_to")
        c1, c2, c3 = st.columns(3)  # issue 17: the business case per payer and its sensitivity
        with c1:
            st.selectbox(t("bc_payer", lang), [None, *PAYERS], key="cp_payer",
                         format_func=lambda v: label("payer", v or "other", lang))
            fx.field_error("cost_parameter", "payer")
        with c2:
            st.number_input(t("low_eur", lang), value=None, step=100.0, format="%.2f", key="cp_low_eur")
            fx.field_error("cost_parameter", "low_eur")
        with c3:
            st.number_input(t("high_eur", lang), value=None, step=100.0, format="%.2f", key="cp_high_eur")
            fx.field_error("cost_parameter", "high_eur")
        submit_button("cost_parameter", "cp", COST, edit_write("cp", living_lab.save_cost_parameter, "label"))
    fx.outcome("cost_parameter", lang, COST)
