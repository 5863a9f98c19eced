"""Plotly charts of the figures, shared by the pages and the meeting pack: the builders (`base`),
the charts as a role may see them (`viewer`) and the review's charts (`review`)."""
