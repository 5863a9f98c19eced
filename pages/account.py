"""Mijn account: who is signed in, and the personal access tokens with which Excel and Power BI read
the data feed (issue 27). Every role; each person sees and manages their own tokens only."""

import streamlit as st

import ui
from eet.texts import formatting as fmt
from eet.texts import label, t
from ui import tokens

actor, lang, _ = ui.context()
st.title(t("page_account", lang))
st.write(fmt.plain(t("account_who", lang, user=actor.username, role=label("role", actor.role, lang))))
st.subheader(t("tokens_heading", lang))
tokens.panel("my", lang)
