"""Registers onderzoek: the living lab's system bottlenecks, success and failure factors, and the cost
parameters of the business case, each as a table of what is there and a form to add a row or edit one.
Researchers and the admin only; eet.entry.living_lab validates, refuses other roles and audits every write."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.texts import formatting as fmt
from eet.entry import living_lab
from eet.texts import label, t
from eet.store.models import BOTTLENECK_STATUSES, COST_CATEGORIES, COST_MODELS, COST_UNITS, FACTOR_DOMAINS, FACTOR_KINDS
from eet.store.models import PAYERS  # issue 17
from eet.store.models import BUILDING_TYPES  # issue 29
from eet.entry import organisations

actor, lang, _ = ui.context()
if actor.role not in living_lab.EDITORS:
    st.warning(t("not_for_role", lang, roles=f" {t('or', lang)} ".join(
        label("role", role, lang) for role in living_lab.EDITORS)))
    st.stop()
st.title(t("page_registers", lang))
ui.demo_banner(lang)
st.caption(t("registers_intro", lang))
today = date.today()
date_format = ui.DATE_FORMAT
BOTTLENECK = ("title", "domain", "owner", "status", "raised_on", "resolved_on", "resolution")
FACTOR = ("domain", "kind", "description", "observed_on", "source")
COST = ("model", "category", "label", "amount_eur", "unit", "source", "valid_from", "valid_to",
        "payer", "low_eur", "high_eur",  # issue 17: who pays, and the sensitivity range
        "care_provider", "building_type")  # issue 29: whom it applies to


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
                 hide_index=True, key=key)  # the number right-aligned, every column sized (fx.fitted)


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


def save_button(form: fx.Form, fields: tuple[str, ...], write) -> None:
    """Save; the form is emptied after adding a row, and keeps the row after editing one."""
    form.save_button(write, fields, clear=st.session_state.get(form.key("id")) is None)


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
        st.caption(f"{t('version', lang)} {fmt.number(st.session_state.get('bn_version'), lang)}")
    form = fx.Form("bottleneck", "bn", lang)
    with st.form(form.name):
        form.field(st.text_input, "title", max_chars=200)
        c1, c2, c3 = st.columns(3)
        form.field(c1.selectbox, "domain", living_lab.BOTTLENECK_DOMAINS,
                   format_func=lambda v: label("domain", v, lang))
        form.field(c2.text_input, "owner", max_chars=120)
        form.field(c3.selectbox, "status", BOTTLENECK_STATUSES,
                   format_func=lambda v: label("bottleneck_status", v, lang))
        c1, c2 = st.columns(2)
        form.field(c1.date_input, "raised_on", value=None, format=date_format)
        form.field(c2.date_input, "resolved_on", value=None, format=date_format)
        form.field(st.text_area, "resolution", max_chars=2000, height=100)
        save_button(form, BOTTLENECK, edit_write("bn", living_lab.save_bottleneck, "title", versioned=True))
    form.outcome(BOTTLENECK)
    form.reload_button(reload)

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
    form = fx.Form("factor", "fc", lang)
    with st.form(form.name):
        c1, c2, c3 = st.columns(3)
        form.field(c1.selectbox, "domain", FACTOR_DOMAINS, format_func=lambda v: label("domain", v, lang))
        form.field(c2.selectbox, "kind", FACTOR_KINDS, format_func=lambda v: label("factor_kind", v, lang))
        form.field(c3.date_input, "observed_on", value=None, format=date_format)
        form.field(st.text_area, "description", max_chars=2000, height=100)
        form.field(st.text_input, "source", max_chars=200)
        save_button(form, FACTOR, edit_write("fc", living_lab.save_factor, "description"))
    form.outcome(FACTOR)

with cost_tab:
    rows = ui.read(living_lab.cost_parameters, actor)
    providers = [name for _, name in ui.read(organisations.partners, "care_provider")]
    table(rows, {
        t("model", lang): lambda r: label("cost_model", r["model"], lang),
        t("category", lang): lambda r: label("cost_category", r["category"], lang),
        t("label", lang): lambda r: r["label"],
        t("amount_eur", lang): lambda r: fmt.number(r["amount_eur"], lang, 2),
        t("unit", lang): lambda r: label("cost_unit", r["unit"], lang),
        t("source", lang): lambda r: r["source"],
        t("valid_from", lang): lambda r: day(r["valid_from"]),
        t("valid_to", lang): lambda r: day(r["valid_to"]),
        t("cost_applies_to", lang): lambda r: r["care_provider"] or (
            label("building_type", r["building_type"], lang) if r["building_type"] else t("cost_scope_everyone", lang)),
    }, "cp_table")
    if ui.demo_data():
        st.caption(t("demo_costs_note", lang))
    st.caption(t("cost_help", lang))
    fx.record_picker("cost_parameter", "cp", rows, COST,
                     lambda r: f"{label('cost_model', r['model'], lang)} · {r['label']} · "
                               f"{fmt.short_date(r['valid_from'], lang)}", lang,
                     lambda: ui.read(living_lab.cost_parameters, actor))
    form = fx.Form("cost_parameter", "cp", lang)
    with st.form(form.name):
        c1, c2, c3 = st.columns(3)
        form.field(c1.selectbox, "model", COST_MODELS, format_func=lambda v: label("cost_model", v, lang))
        form.field(c2.selectbox, "category", COST_CATEGORIES, format_func=lambda v: label("cost_category", v, lang))
        form.field(c3.selectbox, "unit", COST_UNITS, format_func=lambda v: label("cost_unit", v, lang))
        c1, c2 = st.columns([2, 1])
        form.field(c1.text_input, "label", max_chars=200)
        form.field(c2.number_input, "amount_eur", value=None, step=100.0, format="%.2f", help=t("amount_help", lang))
        form.field(st.text_input, "source", max_chars=300)
        c1, c2 = st.columns(2)
        form.field(c1.date_input, "valid_from", value=None, format=date_format)
        form.field(c2.date_input, "valid_to", value=None, format=date_format)
        c1, c2, c3 = st.columns(3)  # issue 17: the business case per payer and its sensitivity
        form.field(c1.selectbox, "payer", [None, *PAYERS], label="bc_payer",
                   format_func=lambda v: label("payer", v or "other", lang))
        form.field(c2.number_input, "low_eur", value=None, step=100.0, format="%.2f")
        form.field(c3.number_input, "high_eur", value=None, step=100.0, format="%.2f")
        c1, c2 = st.columns(2)  # issue 29: whom it applies to (empty: everyone)
        everyone = (lambda fn: lambda v: t("cost_scope_everyone", lang) if v is None else fn(v))
        form.field(c1.selectbox, "care_provider", [None, *providers], format_func=everyone(str),
                   help=t("cost_scope_help", lang))
        form.field(c2.selectbox, "building_type", [None, *BUILDING_TYPES],
                   format_func=everyone(lambda v: label("building_type", v, lang)), help=t("cost_scope_help", lang))
        save_button(form, COST, edit_write("cp", living_lab.save_cost_parameter, "label"))
    form.outcome(COST)

