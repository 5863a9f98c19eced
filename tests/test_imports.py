"""`python -m eet import`: each rule refuses a bad file whole, names row and column, writes nothing;
good files import once and change nothing the second time. Both backends (the `engine` fixture)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from eet import figures
from eet.entry.imports import import_file
from eet.store.models import AuditRecord
from import_helpers import (
    BASE_DWELLINGS, BASE_EVENTS, BASE_PARTICIPANTS, counts, load_base, run_cli, write_csv, write_xlsx,
)

TOMORROW = (date.today() + timedelta(days=1)).isoformat()

D_HEAD = ["ref", "municipality", "corporation", "status", "status_date"]
P_HEAD = ["code", "referrer", "care_provider", "central_waiting_list", "referred_on"]
E_HEAD = ["code", "event", "date", "outcome", "dwelling_ref", "note"]

# (name, kind, rows below the header, what the error line must hold)
BAD_FILES = [
    ("unknown municipality", "dwellings", [["UTR-0009", "Utreg", "", "searching", "2021-03-01"]],
     "row 2, column municipality: 'Utreg' is not a known municipality"),
    ("partner of the wrong kind", "dwellings", [["UTR-0009", "Utrecht", "Lister", "searching", "2021-03-01"]],
     "row 2, column corporation: 'Lister' is a care provider, not a housing corporation"),
    ("future status date", "dwellings", [["UTR-0009", "Utrecht", "", "searching", TOMORROW]],
     "row 2, column status_date: " + TOMORROW + " lies in the future"),
    ("impossible date", "dwellings", [["UTR-0009", "Utrecht", "", "searching", "31-02-2021"]],
     "row 2, column status_date: '31-02-2021' is not an existing date"),
    ("unknown status", "dwellings", [["UTR-0009", "Utrecht", "", "klaar", "2021-03-01"]],
     "row 2, column status: 'klaar' is not a known status"),
    ("status change before the latest change", "dwellings",
     [["ZST-0001", "Zeist", "", "location_found", "2021-01-20"]],
     "row 2, column status_date: 2021-01-20 lies before this dwelling's latest recorded change "
     "(searching on 2021-02-01)"),
    ("status change while occupied", "dwellings", [["UTR-0001", "Utrecht", "", "available", "2021-03-10"]],
     "row 2, column status: UTR-0001 is occupied by P-0001 on 2021-03-10"),
    ("duplicate ref", "dwellings", [["UTR-0009", "Utrecht", "", "searching", "2021-03-01"],
                                    ["utr-0009", "Utrecht", "", "searching", "2021-03-01"]],
     "row 3, column ref: utr-0009 is also in row 2"),
    ("formula-like ref", "dwellings", [["=HYPERLINK(1)", "Utrecht", "", "searching", "2021-03-01"]],
     "row 2, column ref: '=HYPERLINK(1)' may hold letters, digits"),
    ("BSN-shaped code", "participants", [["123456789", "Lister", "", "", "2021-03-01"]],
     "row 2, column code: a code of 9 digits looks like a citizen service number"),
    ("code with a space", "participants", [["P 0003", "Lister", "", "", "2021-03-01"]],
     "row 2, column code: 'P 0003' may hold letters, digits and '-' only"),
    ("unknown referrer", "participants", [["P-0003", "Buurtteam Oost", "", "", "2021-03-01"]],
     "row 2, column referrer: 'Buurtteam Oost' is not a known"),
    ("future referral", "participants", [["P-0003", "Lister", "", "", TOMORROW]],
     "row 2, column referred_on: " + TOMORROW + " lies in the future"),
    ("not yes or no", "participants", [["P-0003", "Lister", "", "misschien", "2021-03-01"]],
     "row 2, column central_waiting_list: 'misschien' is not a known answer"),
    ("duplicate code", "participants", [["P-0003", "Lister", "", "", "2021-03-01"],
                                        ["P-0003", "Lister", "", "", "2021-03-02"]],
     "row 3, column code: P-0003 is also in row 2"),
    ("referral after a recorded step", "participants", [["P-0001", "Stadsteam Back Up", "", "", "2021-02-20"]],
     "row 2, column referred_on: P-0001 already has the step 'assessed' on 2021-02-05"),
    ("unknown participant", "events", [["P-0404", "assessed", "2021-03-01", "eligible", "", ""]],
     "row 2, column code: no participant with code 'P-0404'"),
    ("unknown dwelling", "events", [["P-0002", "matched", "2021-03-01", "", "UTR-0404", ""]],
     "row 2, column dwelling_ref: no dwelling with ref 'UTR-0404'"),
    ("match without eligible assessment", "events",
     [["P-0002", "assessed", "2021-02-20", "niet_geschikt", "", ""],
      ["P-0002", "matched", "2021-03-01", "", "UTR-0002", ""]],
     "row 3, column event: a match needs an eligible assessment"),
    ("move-in without match", "events", [["P-0002", "housed", "2021-03-01", "", "UTR-0002", ""]],
     "row 2, column event: a move-in needs a match"),
    ("exit without move-in", "events", [["P-0002", "exited", "2021-03-01", "positive", "", ""]],
     "row 2, column event: an exit needs a move-in"),
    ("withdrawal after move-in", "events", [["P-0001", "withdrawn", "2021-03-05", "moved away", "", ""]],
     "row 2, column event: P-0001 moved in on 2021-03-01; withdrawal is only for leaving before a move-in"),
    ("step before referral", "events", [["P-0002", "assessed", "2021-01-02", "eligible", "", ""]],
     "row 2, column date: 2021-01-02 lies before P-0002's referral on 2021-01-25"),
    ("future step", "events", [["P-0002", "withdrawn", TOMORROW, "", "", ""]],
     "row 2, column date: " + TOMORROW + " lies in the future"),
    ("note too long", "events", [["P-0002", "withdrawn", "2021-03-01", "", "", "x" * 501]],
     "row 2, column note: is 501 characters long; at most 500"),
    ("assessment without outcome", "events", [["P-0002", "assessed", "2021-03-01", "", "", ""]],
     "row 2, column outcome: is required for assessed"),
    ("second occupant", "events", [["P-0002", "matched", "2021-03-02", "", "UTR-0001", ""],
                                   ["P-0002", "housed", "2021-03-05", "", "UTR-0001", ""]],
     "row 3, column dwelling_ref: UTR-0001 is occupied by P-0001 on 2021-03-05"),
    ("late withdrawal before a recorded match", "events", [["P-0001", "withdrawn", "2021-02-07", "", "", ""]],
     "row 2, column event: P-0001 moved in on 2021-03-01"),
    ("late not-eligible before a recorded match", "events",
     [["P-0001", "assessed", "2021-02-08", "not_eligible", "", ""]],
     "row 2, column date: P-0001's recorded matched on 2021-02-10 would no longer fit"),
]
HEADS = {"dwellings": D_HEAD, "participants": P_HEAD, "events": E_HEAD}


@pytest.mark.parametrize("name, kind, rows, expected", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_row_refuses_the_whole_file(engine, tmp_path, monkeypatch, capsys, name, kind, rows, expected):
    load_base(engine, tmp_path)
    good = {"dwellings": ["NWG-0001", "Nieuwegein", "", "searching", "2021-03-01"],
            "participants": ["P-0077", "Kwintes", "", "ja", "2021-03-01"],
            "events": ["P-0002", "assessed", "2021-03-03", "geschikt", "", ""]}[kind]
    path = write_csv(tmp_path / f"{kind}.csv", [HEADS[kind], good, *rows])
    # The good row goes first: it must not be written either.
    expected = expected.replace("row 3,", "row 4,").replace("row 2,", "row 3,").replace("in row 2", "in row 3")
    before = counts(engine)
    code, out, err = run_cli(monkeypatch, capsys, engine, kind, str(path))
    assert code == 1
    assert expected in err, err
    assert "Traceback" not in err + out and out == ""
    assert err.strip().endswith("nothing imported, 1 error") or "errors" in err.splitlines()[-1]
    assert counts(engine) == before


def test_every_error_of_a_file_is_listed(engine, tmp_path, monkeypatch, capsys):
    path = write_csv(tmp_path / "lijst.csv", [
        ["Kenmerk", "Gemeente", "Status", "Statusdatum", "Opmerking"],
        ["UTR-1", "Utreg", "beschikbaar", "2021-03-01", "kept out"],
        ["UTR-2", "Utrecht", "bogus", "2021-13-01", ""],
        ["UTR-3", "Mitros", "zoekend", "01-03-2021", ""],
    ], delimiter=";")
    code, out, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(path))
    assert code == 1
    assert err.splitlines() == [
        "row 2, column Gemeente: 'Utreg' is not a known municipality; known: Houten, Nieuwegein, Stichtse "
        "Vecht, Utrecht, Utrechtse Heuvelrug, Vijfheerenlanden, Woerden, Zeist",
        "row 3, column Status: 'bogus' is not a known status; use one of: searching, location_found, "
        "available, occupied, withdrawn (zoekend, locatie gevonden, beschikbaar, bewoond, vervallen)",
        "row 3, column Statusdatum: '2021-13-01' is not an existing date; use YYYY-MM-DD or DD-MM-YYYY",
        "row 4, column Gemeente: 'Mitros' is a housing corporation, not a municipality; known: Houten, "
        "Nieuwegein, Stichtse Vecht, Utrecht, Utrechtse Heuvelrug, Vijfheerenlanden, Woerden, Zeist",
        "error: lijst.csv: nothing imported, 4 errors",
    ]


def test_personal_data_columns_are_refused(engine, tmp_path, monkeypatch, capsys):
    path = write_csv(tmp_path / "p.csv", [P_HEAD + ["Naam", "BSN"], ["P-0003", "Lister", "", "", "2021-03-01",
                                                                      "Jan", "111222333"]])
    code, _, err = run_cli(monkeypatch, capsys, engine, "participants", str(path))
    assert code == 1
    assert "row 1, column Naam: looks like a name" in err
    assert "row 1, column BSN: looks like a citizen service number" in err
    assert counts(engine)["Participant"] == 0


def test_three_monthly_snapshots_build_the_history(engine, tmp_path, monkeypatch, capsys):
    january = write_csv(tmp_path / "januari.csv", [
        ["ref", "municipality", "status", "status_date", "building_type"],
        ["UTR-1", "Utrecht", "searching", "2021-01-15", "existing"],
        ["UTR-2", "utrecht", "location_found", "2021-01-15", "transformation"],
        ["ZST-1", "ZEIST", "searching", "2021-01-15", ""],
    ])
    february = write_csv(tmp_path / "februari.csv", [
        ["Kenmerk", "Gemeente", "Status", "Statusdatum", "Bouwtype", "Verwachte oplevering"],
        ["UTR-1", "Utrecht", "locatie gevonden", "15-02-2021", "bestaande bouw", "01-06-2021"],
        ["UTR-2", "Utrecht", "beschikbaar", "15-02-2021", "", ""],
        ["ZST-1", "Zeist", "zoekend", "15-01-2021", "", ""],
        ["NWG-1", "Nieuwegein", "zoekend", "15-02-2021", "nieuwbouw", ""],
    ], delimiter=";", bom=True)
    march = write_xlsx(tmp_path / "maart.xlsx", [
        ["REF", "Municipality", "STATUS", "Status_Date"],
        ["UTR-1", "Utrecht", "beschikbaar", date(2021, 3, 15)],
        ["UTR-2", "Utrecht", "available", date(2021, 2, 15)],
        ["ZST-1", "Zeist", "vervallen", date(2021, 3, 15)],
        ["NWG-1", "Nieuwegein", "location_found", "2021-03-15"],
    ])
    lines = []
    for path in (january, february, march):
        code, out, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(path))
        assert code == 0, err
        lines.append(out)
    assert lines == ["januari.csv: created 3 dwellings, changed 0, 0 unchanged\n",
                     "februari.csv: created 1 dwellings, changed 2, 1 unchanged\n",
                     "maart.xlsx: created 0 dwellings, changed 3, 1 unchanged\n"]

    def counter_at(day):
        with Session(engine) as session:
            got = figures.dwelling_counts(session, day)
        return got["counter"], got["pipeline"], got["withdrawn"]

    expected = {date(2021, 1, 14): (0, 0, 0), date(2021, 1, 31): (1, 2, 0), date(2021, 2, 28): (2, 2, 0),
                date(2021, 3, 31): (3, 0, 1)}
    assert {day: counter_at(day) for day in expected} == expected
    before = counts(engine)
    for path in (january, february, march):
        code, out, _ = run_cli(monkeypatch, capsys, engine, "dwellings", str(path))
        assert code == 0 and " created 0 dwellings, changed 0," in out
    assert counts(engine) == before
    assert {day: counter_at(day) for day in expected} == expected


def test_move_in_occupies_and_exit_frees_the_dwelling(engine, tmp_path, monkeypatch, capsys):
    load_base(engine, tmp_path)
    path = write_csv(tmp_path / "exit.csv", [E_HEAD, ["P-0001", "uitgestroomd", "01-05-2021", "positief", "", ""]])
    assert run_cli(monkeypatch, capsys, engine, "events", str(path))[0] == 0
    with Session(engine) as session:
        at = {day: figures.dwelling_counts(session, day) for day in
              (date(2021, 2, 15), date(2021, 3, 1), date(2021, 5, 1))}
    assert [(c["available"], c["occupied"]) for c in at.values()] == [(2, 0), (1, 1), (2, 0)]
    # Last month's dwelling list uploaded again after the move-in and exit changes nothing.
    again = write_csv(tmp_path / "d.csv", BASE_DWELLINGS)
    code, out, _ = run_cli(monkeypatch, capsys, engine, "dwellings", str(again))
    assert code == 0 and "changed 0, 3 unchanged" in out


def test_events_in_any_row_order_replay_by_date(engine, tmp_path):
    for kind, rows in (("dwellings", BASE_DWELLINGS), ("participants", BASE_PARTICIPANTS)):
        assert import_file(engine, kind, write_csv(tmp_path / f"{kind}.csv", rows)).written
    shuffled = [BASE_EVENTS[0]] + list(reversed(BASE_EVENTS[1:]))
    result = import_file(engine, "events", write_csv(tmp_path / "e.csv", shuffled))
    assert result.ok, [str(e) for e in result.errors]
    assert result.counts == {"created": 4, "changed": 0, "unchanged": 0}
    assert import_file(engine, "events", write_csv(tmp_path / "e.csv", shuffled)).counts["unchanged"] == 4


def test_dry_run_previews_per_row_and_writes_nothing(engine, tmp_path, monkeypatch, capsys):
    path = write_csv(tmp_path / "d.csv", BASE_DWELLINGS)
    before = counts(engine)
    code, out, _ = run_cli(monkeypatch, capsys, engine, "dwellings", str(path), "--dry-run")
    assert code == 0
    assert out == "d.csv (dry run, nothing written): would create 3 dwellings, change 0, leave 0 unchanged\n"
    assert counts(engine) == before
    seen = []
    result = import_file(engine, "dwellings", path.read_bytes(), "upload.csv", dry_run=True,
                         progress=lambda done, total: seen.append((done, total)))
    assert [(r.row, r.key, r.outcome) for r in result.rows] == [
        (2, "UTR-0001", "created"), (3, "UTR-0002", "created"), (4, "ZST-0001", "created")]
    assert result.rows[0].summary == "UTR-0001: available from 2021-02-01"
    assert seen[-1] == (3, 3) and not result.written
    assert counts(engine) == before


def test_each_written_row_has_one_audit_record_naming_the_file(engine, tmp_path):
    load_base(engine, tmp_path)
    path = write_csv(tmp_path / "april.csv", [D_HEAD, ["UTR-0002", "Utrecht", "", "occupied", "2021-04-01"],
                                              ["ZST-0001", "Zeist", "", "searching", "2021-02-01"],
                                              ["HTN-0001", "Houten", "", "searching", "2021-04-01"]])
    result = import_file(engine, "dwellings", path)
    assert result.counts == {"created": 1, "changed": 1, "unchanged": 1}
    with Session(engine) as session:
        records = session.exec(select(AuditRecord).where(AuditRecord.source == "import:april.csv")).all()
    assert sorted((r.action, r.entity) for r in records) == [("create", "dwelling"),
                                                            ("create", "dwelling_status_change")]
    assert {json.loads(r.after).get("dwelling", json.loads(r.after).get("ref")) for r in records} == {
        "UTR-0002", "HTN-0001"}


GARBAGE = [
    ("binary.csv", bytes(range(256)) * 4, "is not a text file"),
    ("leeg.csv", b"", "leeg.csv is empty"),
    ("spaces.csv", b"  \r\n\r\n", "spaces.csv is empty"),
    ("header.csv", b"ref,municipality,status,status_date\r\n", "holds no rows below the header"),
    ("missing.csv", b"ref,municipality,status\r\nUTR-1,Utrecht,available\r\n",
     "row 1, column status_date: the required column 'status_date' (statusdatum) is missing"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "is not a readable Excel workbook"),
    ("notzip.xlsx", b"ref,municipality\r\n", "is not an Excel workbook (.xlsx)"),
    ("lijst.docx", b"ref,municipality,status,status_date\r\n", "a .docx cannot be imported; use .csv or .txt"),
    ("oud.xls", b"\xd0\xcf\x11\xe0", "oud.xls is not a readable Excel workbook"),
    ("lijst.pdf", b"%PDF-1.4", "a .pdf cannot be imported"),
    ("latin1.csv", "ref,municipality,status,status_date,site\r\nUTR-1,Utrecht,searching,2021-01-15,Café\r\n"
     .encode("latin-1"), "latin1.csv: line 2 is not UTF-8 text"),
    ("quote.csv", b'ref,municipality,status,status_date\r\n"UTR-1,Utrecht,searching,2021-01-15\r\n',
     "row 2, column ref: quote.csv cannot be read as CSV here (unexpected end of data): a quote (\") in this "
     "cell is not closed"),
]


@pytest.mark.parametrize("name, data, expected", GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_gets_a_clear_message(engine, tmp_path, monkeypatch, capsys, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    before = counts(engine)
    code, out, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(path))
    assert code == 1
    assert expected in err, err
    assert "Traceback" not in err and out == ""
    # Every error line has the spec's shape, also for a file that cannot be read at all.
    lines = [line for line in err.splitlines() if not line.startswith("error:")]
    assert lines and all(re.match(r"^row \d+, column \S+: ", line) for line in lines), err
    assert counts(engine) == before


def test_an_xlsx_named_csv_and_a_missing_file(engine, tmp_path, monkeypatch, capsys):
    real = write_xlsx(tmp_path / "real.xlsx", BASE_DWELLINGS)
    fake = tmp_path / "echt.csv"
    fake.write_bytes(real.read_bytes())
    code, _, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(fake))
    assert code == 1 and "is an Excel workbook with a .csv name; rename it to .xlsx" in err
    code, _, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(tmp_path / "nergens.csv"))
    assert code == 1 and "does not exist" in err


def test_excel_cells_numbers_and_unknown_columns(engine, tmp_path, monkeypatch, capsys):
    load_base(engine, tmp_path)
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["Code", "Toeleider", "Centrale wachtlijst", "Aangemeld op", "Kleur"],
        ["P-0010", "lister", True, date(2021, 3, 1), "rood"],
        [123456789, "Lister", None, date(2021, 3, 1), None],
    ])
    code, _, err = run_cli(monkeypatch, capsys, engine, "participants", str(path))
    assert code == 1 and err.splitlines()[0].startswith("row 3, column Code: a code of 9 digits")
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["Code", "Toeleider", "Centrale wachtlijst", "Aangemeld op", "Kleur"],
        ["P-0010", "lister", True, date(2021, 3, 1), "rood"],
    ])
    code, out, _ = run_cli(monkeypatch, capsys, engine, "participants", str(path))
    assert (code, out) == (0, "p.xlsx: created 1 participants, changed 0, 0 unchanged; ignored columns: Kleur\n")


def test_a_coordinator_imports_only_rows_of_their_organisation(engine, tmp_path, actors):
    path = write_csv(tmp_path / "d.csv", BASE_DWELLINGS)
    result = import_file(engine, "dwellings", path, actor=actors["coordinator"])
    assert [str(e) for e in result.errors] == [
        "row 4, column -: test-coordinator may only change rows of their own organisation"]
    assert counts(engine)["Dwelling"] == 0
    result = import_file(engine, "dwellings", path, actor=actors["researcher"])
    assert len(result.errors) == 3 and not result.written
