"""The personal access tokens of the data feed as a panel: the account page shows a person their
own, Beheer shows the admin every account's (issue 27). Making, listing and revoking are
eet.accounts.tokens; a new token is shown once, right after it is made, and then forgotten."""

from __future__ import annotations

import streamlit as st

import ui
from eet.accounts import tokens
from eet.store.engine import session_scope
from eet.texts import formatting as fmt
from eet.texts import code_label, t
from ui import forms as fx

SECRET_KEY = "_new_feed_token"  # the secret between the write and the one run that shows it


def panel(prefix: str, lang: str, usernames: list[str] | None = None) -> None:
    """The tokens the signed-in person may manage, a form to make one (for one of `usernames`, the
    admin's choice; else for themselves) and one to revoke one."""
    actor = ui.actor()
    st.caption(t("tokens_intro", lang, url=t("feed_address", lang)))
    secret = st.session_state.pop(f"{SECRET_KEY}_{prefix}", None)
    if secret:  # shown once: popped, so the next run no longer has it
        st.warning(t("token_shown_once", lang))
        st.code(secret, language=None)
    # read at every run, not cached on the data version: making, revoking and using a token change
    # no figure, so they do not bump it (eet.accounts.tokens)
    with session_scope(ui.engine()) as session:
        rows = tokens.list_tokens(session, actor)
    if rows:
        fx.dataframe({
            t("token_number", lang): [r.id for r in rows],
            t("account", lang): [r.username for r in rows],
            t("token_name", lang): [r.name for r in rows],
            t("created_at", lang): [fmt.short_date(r.created_at.date(), lang) for r in rows],
            t("token_expires", lang): [fmt.short_date(r.expires_at.date(), lang) for r in rows],
            t("token_last_used", lang): [fmt.short_date(r.last_used_at.date(), lang) if r.last_used_at else "–"
                                         for r in rows],
            t("token_state", lang): [code_label("token_state", r.state, lang) for r in rows],
        }, hide_index=True, key=f"{prefix}_table")
    else:
        st.info(t("tokens_none", lang))

    form = f"{prefix}_token_new"
    with st.form(form):
        c1, c2 = st.columns(2)
        if usernames is not None:
            c1.selectbox(t("account", lang), usernames, key=f"{prefix}_user")
        c1.text_input(t("token_name", lang), key=f"{prefix}_name", max_chars=tokens.NAME_MAX,
                      placeholder=t("token_name_example", lang))
        fx.field_error(form, "name", lang)
        c2.number_input(t("token_days", lang), min_value=1, max_value=tokens.MAX_DAYS, value=tokens.DEFAULT_DAYS,
                        step=1, key=f"{prefix}_days")
        fx.field_error(form, "days", lang)

        def make(session, who):
            username = st.session_state.get(f"{prefix}_user") or who.username
            info, new_secret = tokens.add_token(session, who, username, fx.value(f"{prefix}_name") or "",
                                                int(st.session_state.get(f"{prefix}_days") or 0))
            st.session_state[f"{SECRET_KEY}_{prefix}"] = new_secret
            return f"{t('token_number', lang)} {info.id} ({info.name}, {info.username})"

        st.form_submit_button(t("token_add", lang), type="primary", on_click=fx.submit, args=(form, make),
                              kwargs={"clear": (f"{prefix}_name",)})
    fx.outcome(form, lang, ("name", "days"))

    active = [r for r in rows if r.state == "active"]
    if active:
        form = f"{prefix}_token_revoke"
        with st.form(form):
            st.selectbox(t("token_revoke_which", lang), [r.id for r in active], key=f"{prefix}_revoke",
                         format_func=lambda i: next(f"{r.id}: {r.name} ({r.username})" for r in active if r.id == i))

            def revoke(session, who):
                info = tokens.revoke_token(session, who, int(st.session_state[f"{prefix}_revoke"]))
                return f"{t('token_number', lang)} {info.id} ({info.name}): {code_label('token_state', 'revoked', lang)}"

            st.form_submit_button(t("token_revoke", lang), on_click=fx.submit, args=(form, revoke))
        fx.outcome(form, lang, ())
