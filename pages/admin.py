"""Beheer: the programme lead's partners (add an organisation, edit one), targets (a new dated row, the
history kept) and accounts (add, deactivate or reactivate, set a new password). Admin only; each write
goes through eet.administration, which refuses other roles and audits it. A password is typed into a
password field, handed to eet, and never shown, kept in a message or logged."""

import streamlit as st

from ui import forms as fx
from ui import tokens as token_panel
import ui
from eet.store import audit_trail
from eet.accounts import administration, sessions
from eet.entry import pledges as pledge_entry
from eet.texts import formatting as fmt
from eet.texts import code_label, label, t
from eet.store.models import ORG_KINDS, ROLES, TARGET_KEYS

actor, lang, _ = ui.context()
if not actor.is_admin:
    st.warning(t("not_for_role", lang, roles=label("role", "admin", lang)))
    st.stop()
st.title(t("page_admin", lang))
ui.demo_banner(lang)
date_format = ui.DATE_FORMAT
ORGANISATION = ("name", "kind", "joined_on", "note")
TARGET = ("key", "value", "due_on", "valid_from", "note")

organisations = ui.read(administration.organisations, actor)
org_names = {org["id"]: org["name"] for org in organisations}


def text(value) -> str:
    return "" if value is None else str(value)


def moment(value) -> str:
    """A recorded moment in Amsterdam time (as the audit trail shows it), in the language's format."""
    return "" if value is None else audit_trail.moment(value, lang)


def target_value(key: str, value: float) -> str:
    return fmt.percent(value, lang, 0) if key == "retention" else fmt.number(value, lang)


partners_tab, targets_tab, pledges_tab, accounts_tab, tokens_tab = st.tabs(
    [t("partners", lang), t("targets", lang), t("pledges_tab", lang), t("accounts", lang), t("tokens_heading", lang)])

with partners_tab:
    fx.dataframe({
        t("name", lang): [org["name"] for org in organisations],
        t("org_kind", lang): [code_label("org_kind", org["kind"], lang) for org in organisations],
        t("joined_on", lang): [fmt.short_date(org["joined_on"], lang) for org in organisations],
        t("org_note", lang): [text(org["note"]) for org in organisations],
    }, hide_index=True, key="og_table")
    st.caption(t("partner_help", lang))
    fx.record_picker("organisation", "og", organisations, ORGANISATION, lambda org: org["name"], lang,
                     lambda: ui.read(administration.organisations, actor), numbered=False)  # names are unique
    new_partner = st.session_state.get("og_id") is None
    form = fx.Form("organisation", "og", lang)
    with st.form(form.name):
        c1, c2, c3 = st.columns(3)
        form.field(c1.text_input, "name", max_chars=120)
        form.field(c2.selectbox, "kind", ORG_KINDS, label="org_kind",
                   format_func=lambda v: code_label("org_kind", v, lang))
        form.field(c3.date_input, "joined_on", value=None, format=date_format)
        form.field(st.text_input, "note", label="org_note", max_chars=500)

        def organisation_write(session, who, values):
            administration.save_organisation(session, who, values, st.session_state.get("og_id"))
            return values["name"]

        form.save_button(organisation_write, ORGANISATION, clear=new_partner)
    form.outcome(ORGANISATION)

with targets_tab:
    targets = ui.read(administration.targets, actor)
    st.caption(t("target_history", lang))
    fx.dataframe({
        t("target_key", lang): [code_label("target", row["key"], lang) for row in targets],
        t("value", lang): [target_value(row["key"], row["value"]) for row in targets],
        t("due_on", lang): [fmt.short_date(row["due_on"], lang) for row in targets],
        t("valid_from", lang): [fmt.short_date(row["valid_from"], lang) for row in targets],
        t("org_note", lang): [text(row["note"]) for row in targets],
    }, hide_index=True, key="tg_table")
    st.subheader(t("add_target", lang))
    st.caption(t("target_note", lang))
    form = fx.Form("target", "tg", lang)
    with st.form(form.name):
        c1, c2 = st.columns(2)
        form.field(c1.selectbox, "key", TARGET_KEYS, label="target_key",
                   format_func=lambda v: code_label("target", v, lang))
        form.field(c2.number_input, "value", value=None, step=1.0, format="%g", help=t("target_value_help", lang))
        c1, c2 = st.columns(2)
        form.field(c1.date_input, "due_on", value=None, format=date_format)
        form.field(c2.date_input, "valid_from", value=None, format=date_format)
        form.field(st.text_input, "note", label="org_note", max_chars=500)

        def target_write(session, who, values):
            administration.add_target(session, who, values)
            return f"{code_label('target', values['key'], lang)} {target_value(values['key'], values['value'])}"

        form.save_button(target_write, TARGET)
    form.outcome(TARGET)

with pledges_tab:  # issue 23: what each partner pledged, dated; a correction voids, never overwrites
    pledged = ui.read(pledge_entry.pledge_rows, actor)
    st.caption(t("pledge_history", lang))
    if pledged:
        fx.dataframe({
            t("partner", lang): [text(row["partner"]) for row in pledged],
            t("pledge_col", lang): [row["dwellings"] for row in pledged],
            t("valid_from", lang): [fmt.short_date(row["valid_from"], lang) for row in pledged],
            t("recorded", lang): [f'{moment(row["recorded_at"])} · {text(row["recorded_by"])}' for row in pledged],
            t("pledge_voided", lang): [
                f'{moment(row["voided_at"])} · ' + (t("pledge_superseded", lang) if row["void_reason"] == pledge_entry.SUPERSEDED
                                                    else text(row["void_reason"])) if row["voided_at"] else ""
                for row in pledged],
        }, hide_index=True, key="pl_table")
    st.subheader(t("add_pledge", lang))
    st.caption(t("pledge_note", lang))
    PLEDGE = ("partner", "dwellings", "valid_from")
    pledging = sorted(o["name"] for o in organisations if o["kind"] in pledge_entry.PLEDGING)
    form = fx.Form("pledge", "pl", lang)
    with st.form(form.name):
        c1, c2, c3 = st.columns(3)
        form.field(c1.selectbox, "partner", [None, *pledging], format_func=lambda v: t("none", lang) if v is None else v)
        form.field(c2.number_input, "dwellings", label="pledge_col", value=None, min_value=0, step=1)
        form.field(c3.date_input, "valid_from", value=None, format=date_format)
        form.save_button(pledge_entry.save_pledge, PLEDGE)
    form.outcome(PLEDGE)

with accounts_tab:
    accounts = ui.read(administration.accounts, actor)
    fx.dataframe({
        t("username", lang): [a["username"] for a in accounts],
        t("role", lang): [label("role", a["role"], lang) for a in accounts],
        t("org", lang): [org_names.get(a["organisation_id"], "") for a in accounts],
        t("active", lang): [t("yes", lang) if a["active"] else t("no", lang) for a in accounts],
        t("locked_until", lang): [moment(a["locked_until"]) for a in accounts],
        t("demo_account", lang): [t("yes", lang) if a["is_demo"] else "" for a in accounts],
        t("identity", lang): [a.get("identity") or "" for a in accounts],
        t("created_at", lang): [moment(a["created_at"]) for a in accounts],
    }, hide_index=True, key="ac_table")
    st.caption(t("password_note", lang))
    usernames = [a["username"] for a in accounts]

    st.subheader(t("add_account", lang))
    form = fx.Form("account_new", "ac", lang)
    with st.form(form.name):
        c1, c2 = st.columns(2)
        form.field(c1.text_input, "username", max_chars=80)
        form.field(c1.text_input, "password", type="password", autocomplete="new-password")
        form.field(c2.selectbox, "role", [None, *ROLES],
                   format_func=lambda v: t("none", lang) if v is None else label("role", v, lang))
        form.field(c2.selectbox, "org", [None, *sorted(org_names.values())],
                   format_func=lambda v: t("none", lang) if v is None else v)

        def account_write(session, who):
            username = st.session_state.get("ac_username") or ""
            administration.add_account(session, who, username, st.session_state.get("ac_password") or "",
                                       st.session_state.get("ac_role"), st.session_state.get("ac_org"))
            return username.strip()

        st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                              args=("account_new", account_write),
                              kwargs={"clear": ("ac_username", "ac_password", "ac_role", "ac_org")})
    fx.outcome("account_new", lang, ("username", "password", "role", "org"))

    st.subheader(t("account_status", lang))
    with st.form("account_active"):
        fx.Form("account_active", "aa", lang).field(st.selectbox, "username", usernames, label="account")

        def active_write(session, who, active: bool):
            username = st.session_state["aa_username"]
            administration.set_active(session, who, username, active)
            return f"{username}: {t('activated' if active else 'deactivated', lang)}"

        c1, c2 = st.columns(2)
        c1.form_submit_button(t("deactivate", lang), on_click=fx.submit,
                              args=("account_active", active_write, False))
        c2.form_submit_button(t("activate", lang), on_click=fx.submit,
                              args=("account_active", active_write, True))
    fx.outcome("account_active", lang, ("username",))
    st.subheader(t("reset_password", lang))
    form = fx.Form("account_password", "ap", lang)
    with st.form(form.name):
        form.field(st.selectbox, "username", usernames, label="account")
        form.field(st.text_input, "password", label="new_password", type="password", autocomplete="new-password")

        def password_write(session, who):
            username = st.session_state["ap_username"]
            administration.reset_password(session, who, username, st.session_state.get("ap_password") or "")
            return f"{username}: {t('password_set', lang)}"

        st.form_submit_button(t("reset_password", lang), type="primary", on_click=fx.submit,
                              args=("account_password", password_write), kwargs={"clear": ("ap_password",)})
    fx.outcome("account_password", lang, ("username", "password"))

    # Sessions and the identity at the organisation's provider (issue 12).
    st.subheader(t("sessions_heading", lang))
    with st.form("account_sessions"):
        st.selectbox(t("account", lang), usernames, key="as_username")
        fx.field_error("account_sessions", "username")
        st.text_input(t("identity", lang), key="as_identity", max_chars=254)
        fx.field_error("account_sessions", "identity")

        def sessions_write(session, who):
            username = st.session_state["as_username"]
            ended = sessions.end_sessions(session, who, username)
            return f"{username}: {t('sessions_ended', lang, n=ended)}"

        def identity_write(session, who):
            username = st.session_state["as_username"]
            administration.set_identity(session, who, username, st.session_state.get("as_identity"))
            return f"{username}: {t('identity_saved', lang)}"

        c1, c2 = st.columns(2)
        c1.form_submit_button(t("end_sessions", lang), on_click=fx.submit, args=("account_sessions", sessions_write))
        c2.form_submit_button(t("identity_save", lang), on_click=fx.submit,
                              args=("account_sessions", identity_write), kwargs={"clear": ("as_identity",)})
    fx.outcome("account_sessions", lang, ("username", "identity"))

with tokens_tab:  # every account's tokens for the data feed (issue 27)
    token_panel.panel("tk", lang, [a["username"] for a in accounts if a["active"]])
