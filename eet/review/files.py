"""The meeting pack as the review page offers it, without loading the pack's writer (plotly.io,
openpyxl: eet.review.pack) until a file is asked for: who may ask for the exact pack, the file's
name, and the bytes."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from eet.accounts.access import Actor

EXACT_ROLES = ("admin", "researcher")


def file_name(as_of: date, suffix: str, lang: str, exact: bool = False) -> str:
    """vergaderstuk-2021-05-31.html; the exact pack, which is not sent round, says so in its name
    (vergaderstuk-2021-05-31-exacte-aantallen.html), so that nobody sends the wrong file."""
    stem = "vergaderstuk" if lang == "nl" else "meeting-pack"
    mark = ("-exacte-aantallen" if lang == "nl" else "-exact-counts") if exact else ""
    return f"{stem}-{as_of.isoformat()}{mark}{suffix}"


def pack_bytes(session: Session, actor: Actor, suffix: str, as_of: date, compare_with: date | None = None,
               lang: str = "nl", basis: str = "comparison", exact: bool = False) -> bytes:
    """The pack as the bytes of a .html or .xlsx file (the review page's download)."""
    from eet.review import pack

    return pack.pack_bytes(session, actor, suffix, as_of, compare_with, lang, basis, exact)
