"""Shared helpers of the import tests: writing list files, running the command line, counting rows."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from eet.cli import main
from eet.store.models import AuditRecord, Dwelling, DwellingStatusChange, Participant, ParticipantEvent

TABLES = (Dwelling, DwellingStatusChange, Participant, ParticipantEvent, AuditRecord)


def write_csv(path: Path, rows: list[list], delimiter: str = ",", bom: bool = False) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {t.__name__: session.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}


def run_cli(monkeypatch, capsys, engine, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    capsys.readouterr()
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


BASE_DWELLINGS = [
    ["ref", "municipality", "corporation", "status", "status_date"],
    ["UTR-0001", "Utrecht", "Mitros", "available", "2021-02-01"],
    ["UTR-0002", "Utrecht", "Portaal", "available", "2021-02-01"],
    ["ZST-0001", "Zeist", "", "searching", "2021-02-01"],
]
BASE_PARTICIPANTS = [
    ["code", "referrer", "care_provider", "central_waiting_list", "referred_on"],
    ["P-0001", "Stadsteam Back Up", "Lister", "yes", "2021-01-20"],
    ["P-0002", "Regionale Toegang", "Kwintes", "no", "2021-01-25"],
]
BASE_EVENTS = [
    ["code", "event", "date", "outcome", "dwelling_ref", "note"],
    ["P-0001", "assessed", "2021-02-05", "eligible", "", ""],
    ["P-0001", "matched", "2021-02-10", "", "UTR-0001", ""],
    ["P-0001", "housed", "2021-03-01", "", "UTR-0001", ""],
    ["P-0002", "assessed", "2021-02-06", "eligible", "", ""],
]


def load_base(engine, tmp_path: Path) -> None:
    from eet.entry.imports import import_file

    for kind, rows in (("dwellings", BASE_DWELLINGS), ("participants", BASE_PARTICIPANTS),
                       ("events", BASE_EVENTS)):
        result = import_file(engine, kind, write_csv(tmp_path / f"base-{kind}.csv", rows))
        assert result.ok and result.written, result.errors


def iso(day: date) -> str:
    return day.isoformat()
