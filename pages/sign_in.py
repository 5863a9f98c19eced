"""Sign-in, drawn by dashboard.py in place of the page a signed-out person asked for: with a user
name and password of this monitor, or through the organisation's provider (OpenID Connect, when
.streamlit/secrets.toml has an [auth] section). Afterwards the browser continues to the page asked
for, at its date and in its language. The demo accounts are listed only on demo data.

While the form shows, the browser also fetches the code that draws charts, tables and metrics
(Streamlit loads it only when the first such element arrives; the Plotly part alone is 4.7 MB to
fetch and run): a small chart, table and metric, hidden, with no data. The page after signing in
then finds that code in the browser's cache instead of leaving its first chart blank while it
loads (bench/FINDINGS-issue15.md, finding 5; measured by bench/browser.py).
"""

import plotly.graph_objects as go
import streamlit as st

import ui
from eet.accounts import auth
from eet.accounts.auth import LOCKOUT, MAX_FAILED_ATTEMPTS, account_for_identity, sign_in
from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD
from eet.store.engine import session_scope
from eet.texts import formatting as fmt
from eet.texts import label, t

lang = ui.current_language()
next_path = st.session_state.get("sign_in_next", "/")
st.title(t("app_title", lang))
ended = ui.signed_out_key()
if ended:
    st.info(t(ended, lang))
if next_path.split("?")[0] != "/":
    st.caption(t("sign_in_continue", lang, page=fmt.plain(st.session_state.get("sign_in_title", ""))))


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
                st.error(t("oidc_unknown", lang, identity=fmt.plain(st.user.get("email") or st.user.get("sub"))))
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
            st.error(t("sign_in_locked_out", lang, minutes=fmt.number(answer.locked_minutes, lang)))
        else:
            st.error(t("sign_in_failed", lang, attempts=MAX_FAILED_ATTEMPTS,
                       minutes=int(LOCKOUT.total_seconds() // 60)))
    # The accessibility statement, readable before signing in (the law asks it to be findable).
    st.page_link("pages/accessibility.py", label=t("accessibility_link", lang), icon=":material/accessibility:",
                 query_params={"lang": lang})

with right:
    if ui.read(auth.demo_accounts_open):  # the demo accounts sign in only while no real data exist
        st.subheader(t("demo_accounts", lang, password=DEMO_PASSWORD))
        st.table({
            t("username", lang): [name for name, _, _ in DEMO_ACCOUNTS],
            t("role", lang): [label("role", role, lang) for _, role, _ in DEMO_ACCOUNTS],
            t("organisation", lang): [org or "–" for _, _, org in DEMO_ACCOUNTS],
        })
        st.caption(t("demo_accounts_note", lang))

# The chart code fetched while the person types (see above): out of sight, out of the tab order and
# of what a screen reader reads (visibility), and out of the layout (absolute). The style rides in
# the container it hides (st.html is what the sign-in's redirect is made of).
with st.container(key="sign_in_warm_up"):
    st.markdown("<style>.st-key-sign_in_warm_up {position: absolute; left: -10000px; top: 0; width: 320px; "
                "height: 120px; overflow: hidden; visibility: hidden; pointer-events: none;}</style>",
                unsafe_allow_html=True)
    st.plotly_chart(go.Figure(go.Bar(x=[0], y=[0]), layout={"height": 100, "width": 300}),
                    config={"displayModeBar": False, "staticPlot": True}, width="content")
    st.dataframe({t("organisation", lang): []})
    st.metric(t("counter", lang), "–", label_visibility="collapsed")
