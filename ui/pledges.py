"""The partners' pledges per municipality as the overview, the dwellings page and the review page
draw them: the one table of eet.review.tables.pledge_table (the pack shows it too), the municipalities
behind their pledge named, the sum of the pledges beside the ambition and the target."""

from __future__ import annotations

import streamlit as st

from eet.review.tables import cell_text, pledge_sentences, pledge_table
from eet.texts import t
from ui import forms as fx


def draw(view, lang: str, heading: bool = True) -> None:
    """`view`: an eet.figures.pledges.PledgeView. Nothing but a line when no pledge is recorded."""
    table = pledge_table(view, lang)
    if heading:
        st.subheader(fx.plain(table.title))
    if not any(s.pledge is not None for s in view.standings):
        st.caption(t("pledges_none", lang))
        return
    intro, total, behind = pledge_sentences(view, lang)
    st.caption(fx.plain(intro))
    fx.table({name: [cell_text(row[i], lang) for row in table.rows] for i, name in enumerate(table.columns)})
    if behind:
        st.warning(fx.plain(f"{behind} {total}"))
    else:
        st.info(fx.plain(total))
