"""The accessibility statement (toegankelijkheidsverklaring, WCAG 2.1 AA, issue 26): in the form of
the Dutch government's model (the standard, how it was tested, what does not comply yet and why,
whom to contact). Open to everyone, signed in or not (dashboard.py, PUBLIC_PAGES); the contact is
EET_ACCESSIBILITY_CONTACT, else the programme lead."""

import streamlit as st

import ui
from ui.forms import plain
from eet.store.config import get_settings
from eet.texts import t

lang = ui.current_language()
st.title(t("page_accessibility", lang))
contact = get_settings().accessibility_contact or t("accessibility_contact_default", lang)
# Our own text (the catalogue's), with the contact set by the administrator of the server.
st.markdown(t("accessibility_statement", lang, contact=plain(contact)))
