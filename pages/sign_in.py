"""Sign-in with the accounts of the data layer; the demo accounts are listed only on demo data."""

import streamlit as st

import ui
from eet.accounts.auth import LOCKOUT, MAX_FAILED_ATTEMPTS, authenticate
from eet.store.engine import session_scope
from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD
from eet.texts import label, t
from eet.accounts import auth

lang = ui.current_language()
st.title(t("app_title", lang))
if st.session_state.pop("signed_out_idle", False):
    st.info(t("signed_out_idle", lang))

left, right = st.columns([1, 1], gap="large")
with left:
    with st.form("sign_in"):
        st.subheader(t("sign_in", lang))
        username = st.text_input(t("username", lang), key="sign_in_user")
        password = st.text_input(t("password_sign_in", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("sign_in", lang), type="primary")
    st.caption(t("reload_signs_out", lang))  # the sign-in lives in this session only
    if submitted:
        # authenticate counts failed attempts, so its session is committed.
        with session_scope(ui.engine()) as session:
            signed_in = authenticate(session, username, password)
        if signed_in is None:
            st.error(t("sign_in_failed", lang, attempts=MAX_FAILED_ATTEMPTS,
                       minutes=int(LOCKOUT.total_seconds() // 60)))
        else:
            ui.sign_in(signed_in)
            st.rerun()

with right:
    if ui.read(auth.demo_accounts_open):  # the demo accounts sign in only while no real data exist
        st.subheader(t("demo_accounts", lang, password=DEMO_PASSWORD))
        st.table({
            t("username", lang): [name for name, _, _ in DEMO_ACCOUNTS],
            t("role", lang): [label("role", role, lang) for _, role, _ in DEMO_ACCOUNTS],
            t("organisation", lang): [org or "–" for _, _, org in DEMO_ACCOUNTS],
        })
        st.caption(t("demo_accounts_note", lang))
