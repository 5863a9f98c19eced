"""Eerst een Thuis monitor: data layer, figures, imports and exports.

Everything a page shows can be computed from this package alone; it never imports streamlit.
"""
