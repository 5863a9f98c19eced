"""The pages of the dashboard: file, title, icon, web address and the roles that see each.

One table for dashboard.py (which builds st.navigation from it) and app.py (which sends a web
address that is no page to the overview, rather than to Streamlit's English "Page not found").
"""

EVERYONE = ("admin", "coordinator", "researcher", "viewer")
ENTRY = ("admin", "coordinator")
# (file in pages/, title's text key, Material icon, url path ("" is the overview), roles that see it)
PAGES = [
    ("overview", "page_overview", "home", "", EVERYONE),
    ("dwellings", "page_dwellings", "apartment", "woningen", EVERYONE),
    ("participants", "page_participants", "group", "deelnemers", EVERYONE),
    ("research", "page_research", "science", "onderzoek", EVERYONE),
    ("review", "page_review", "event_note", "evaluatie", EVERYONE),
    ("my_participants", "page_my_participants", "assignment_ind", "mijn-deelnemers", ("admin", "coordinator", "researcher")),
    ("entry_dwellings", "page_entry_dwellings", "edit", "invoer-woningen", ENTRY),
    ("entry_participants", "page_entry_participants", "edit_note", "invoer-deelnemers", ENTRY),
    ("upload", "page_upload", "upload_file", "uploaden", ENTRY),
    ("quality", "page_quality", "fact_check", "datakwaliteit", ENTRY),
    # Registers and administration by role; eet refuses the same again for any other role.
    ("registers", "page_registers", "fact_check", "registers", ("admin", "researcher")),
    ("admin", "page_admin", "admin_panel_settings", "beheer", ("admin",)),
    ("audit", "page_audit", "history", "audittrail", ("admin",)),
    # Everyone's own account: the data feed's tokens (issue 27).
    ("account", "page_account", "key", "account", EVERYONE),
    ("accessibility", "page_accessibility", "accessibility", "toegankelijkheid", EVERYONE),
]
# Pages that open signed out as well (the accessibility statement, linked from the sign-in page).
PUBLIC_PAGES = frozenset({"toegankelijkheid"})
NOT_FOUND = "niet_gevonden"  # query parameter: the address that was no page, for the notice
PAGE_PATHS = frozenset(path for _, _, _, path, _ in PAGES if path)


def is_unknown_page(path: str) -> bool:
    """True for a web address that looks like a page's ("/woning", "/Woningen/") but is none of
    PAGES. Streamlit's own addresses (/_stcore/..., /static/..., files with a dot, the sign-in
    provider's /oauth2callback, the data feed's /odata) are never a page's."""
    name = path.strip("/")
    return (bool(name) and "/" not in name and "." not in name and not name.startswith("_")
            and name.lower() not in PAGE_PATHS and name not in ("oauth2callback", "odata"))
