"""Sign-in, drawn by dashboard.py in place of the page a signed-out person asked for: with a user
name and password of this monitor, or through the organisation's provider (OpenID Connect, when
.streamlit/secrets.toml has an [auth] section). Afterwards the browser continues to the page asked
for, at its date and in its language. The demo accounts are listed only on demo data."""

import streamlit as st

import ui
from eet.accounts import auth
from eet.accounts.auth import LOCKOUT, MAX_FAILED_ATTEMPTS, account_for_identity, sign_in
from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD
from eet.store.engine import session_scope
from eet.texts import label, t

lang = ui.current_language()
next_path = st.session_state.get("sign_in_next", "/")
st.title(t("app_title", lang))
ended = ui.signed_out_text(lang)
if ended:
    st.info(ended)
if next_path.split("?")[0] != "/":
    st.caption(t("sign_in_continue", lang, page=st.session_state.get("sign_in_title", "")))


def provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


left, right = st.columns([1, 1], gap="large")
with left:
    if provider_configured():
        if st.user.is_logged_in:
            # An e-mail address the provider marks as unverified names nobody: only the subject then.
            email = st.user.get("email") if st.user.get("email_verified") is not False else None
            identities = [email, st.user.get("sub")]
            with session_scope(ui.engine()) as session:
                found = account_for_identity(session, identities)
            if found is None:
                st.error(t("oidc_unknown", lang, identity=st.user.get("email") or st.user.get("sub")))
                if st.button(t("oidc_other_account", lang)):
                    st.logout()
            else:
                ui.sign_in(found, next_path, door="oidc")
                st.info(t("signing_in", lang))
                st.stop()
        else:
            st.button(t("sign_in_provider", lang), type="primary", on_click=st.login)
            st.caption(t("sign_in_or", lang))
    with st.form("sign_in"):
        st.subheader(t("sign_in", lang))
        username = st.text_input(t("username", lang), key="sign_in_user")
        password = st.text_input(t("password_sign_in", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("sign_in", lang), type="primary")
    if submitted:
        # sign_in counts failed attempts, so its session is committed.
        with session_scope(ui.engine()) as session:
            answer = sign_in(session, username, password)
        if answer.actor is not None:
            ui.sign_in(answer.actor, next_path)
            st.info(t("signing_in", lang))
            st.stop()
        if answer.locked_minutes:
            st.error(t("sign_in_locked_out", lang, minutes=answer.locked_minutes))
        else:
            st.error(t("sign_in_failed", lang, attempts=MAX_FAILED_ATTEMPTS,
                       minutes=int(LOCKOUT.total_seconds() // 60)))

with right:
    if ui.read(auth.demo_accounts_open):  # the demo accounts sign in only while no real data exist
        st.subheader(t("demo_accounts", lang, password=DEMO_PASSWORD))
        st.table({
            t("username", lang): [name for name, _, _ in DEMO_ACCOUNTS],
            t("role", lang): [label("role", role, lang) for _, role, _ in DEMO_ACCOUNTS],
            t("organisation", lang): [org or "–" for _, _, org in DEMO_ACCOUNTS],
        })
        st.caption(t("demo_accounts_note", lang))
