"""How long imports of good rows take, on SQLite and on the local PostgreSQL, and the memory they
take. Not a test: it prints a table.

    .venv/bin/python bench/import_bench.py [--case pilot|national|both] [--backend sqlite|postgresql|both]
                                           [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python bench/import_bench.py --rows 5000 --events 15000   # a size of your own
    .venv/bin/python bench/import_bench.py --case files                 # coordinators' odd files

Cases: "pilot" is 10,000 rows per file (dwellings, participants, 9,999 events); "national" is
100,000 event rows (33,334 participants and dwellings). Every participant is assessed eligible,
then matched to and housed in a dwelling of their own. Each case runs in a child process of its own
(so its peak memory is the import's), into a fresh database of the backend: the three files are
imported, then imported again (all unchanged).

Case "files" (issue 11 and 18): files whose cost must follow their data, each imported into a fresh
SQLite database in a child process of its own: a 5 KB workbook with one coloured cell in row
1,048,576 (read), a zip bomb of 1 MB unpacking to 1 GB and a csv of a million bad rows (both
refused before the work). It prints the seconds of the import and the process's peak memory.

bench/run.py calls `measure(database_url, size)`: the case of that size on the backend of that
URL (in a database of its own beside it), as rows (name, first s, again s) and memory rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

MUNICIPALITIES = ("Utrecht", "Zeist", "Houten", "Nieuwegein", "Woerden")
KINDS = ("dwellings", "participants", "events")
CASES = {"pilot": (10_000, 9_999), "national": (33_334, 100_000)}  # (dwellings and participants, events)
PG_URL = os.environ.get("EET_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# bench/run.py prints these columns for each row measure() returns (seconds, shown as ms); a row
# whose name ends in "MiB" carries one plain number.
COLUMNS = ("first ms", "again ms")


def write_files(folder: Path, rows: int, events: int | None = None) -> list[tuple[str, Path]]:
    """`rows` dwellings and participants; `events` event rows (default: three for each of the first
    rows // 3 participants), in route order per participant."""
    start = date(2021, 1, 15)
    events = (rows // 3) * 3 if events is None else events
    if events > 3 * rows:
        raise ValueError("at most three events per participant")
    files = {
        "dwellings": [["ref", "municipality", "corporation", "status", "status_date", "building_type"]],
        "participants": [["code", "referrer", "care_provider", "central_waiting_list", "referred_on"]],
        "events": [["code", "event", "date", "outcome", "dwelling_ref"]],
    }
    for i in range(rows):
        files["dwellings"].append([f"B-{i:06d}", MUNICIPALITIES[i % 5], "Mitros", "available",
                                   (start + timedelta(days=i % 30)).isoformat(), "existing"])
        files["participants"].append([f"P-{i:06d}", "Regionale Toegang", "Lister", "ja",
                                      (start + timedelta(days=i % 60)).isoformat()])
    for i in range((events + 2) // 3):
        referred = start + timedelta(days=i % 60)
        files["events"] += [
            [f"P-{i:06d}", "assessed", (referred + timedelta(days=5)).isoformat(), "eligible", ""],
            [f"P-{i:06d}", "matched", (referred + timedelta(days=40)).isoformat(), "", f"B-{i:06d}"],
            [f"P-{i:06d}", "housed", (referred + timedelta(days=60)).isoformat(), "", f"B-{i:06d}"],
        ]
    del files["events"][events + 1:]
    paths = []
    for kind, content in files.items():
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(content)
        paths.append((kind, path))
    return paths


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(url: str, files: list[tuple[str, Path]]) -> list[tuple]:
    """Import each file into the database at `url`, then each again: rows (name, first s, again s)."""
    from eet.bootstrap import initialise
    from eet.store import get_engine
    from eet.entry.imports import import_file

    engine = get_engine(url)
    initialise(engine)
    seconds: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for attempt in ("first", "again"):
        for kind, path in files:
            began = time.perf_counter()
            result = import_file(engine, kind, path)
            seconds.setdefault(kind, []).append(time.perf_counter() - began)
            assert result.ok, [str(e) for e in result.errors[:5]]
            expected = "created" if attempt == "first" else "unchanged"
            assert result.counts[expected] == len(result.rows), result.summary()
            names[kind] = f"{kind} ({len(result.rows):,} rows)"
    engine.dispose()
    return [(names[kind], *seconds[kind]) for kind, _ in files]


class Database:
    """A fresh database on the backend of `url`: a temporary SQLite file, or a PostgreSQL database
    created beside the one named (and dropped afterwards)."""

    def __init__(self, url: str) -> None:
        self.server = url
        if url.startswith("sqlite"):
            self.tmp = tempfile.TemporaryDirectory(prefix="eet-import-bench-")
            self.url = f"sqlite:///{Path(self.tmp.name) / 'bench.db'}"
        else:
            self.tmp = None
            name = f"eet_import_bench_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{name}"')
            self.url = make_url(url).set(database=name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(sql))
        admin.dispose()

    def drop(self) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()
        else:
            from eet.store import get_engine

            get_engine(self.url).dispose()
            self._admin(f'DROP DATABASE IF EXISTS "{make_url(self.url).database}" WITH (FORCE)')


def child(url: str, rows: int, events: int) -> dict:
    """One case in this process: the timings, and the process's memory before and at its peak."""
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), rows, events)
        import eet.entry.imports  # noqa: F401  (loaded before the baseline, as in a running server)

        baseline = _rss_mib()
        database = Database(url)
        try:
            timings = run(database.url, files)
        finally:
            database.drop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": timings, "baseline_rss_mib": baseline, "peak_rss_mib": peak}


FILES = ("styled 5 KB workbook", "zip bomb (1 MB -> 1 GB)", "a million bad rows (8 MB csv)")


def write_odd_file(folder: Path, case: str) -> Path:
    """The file of one of FILES, made here."""
    if case == FILES[0]:
        from openpyxl import Workbook
        from openpyxl.styles import PatternFill

        book = Workbook()
        sheet = book.active
        sheet.append(["kenmerk", "gemeente", "status", "statusdatum"])
        sheet.append(["VHL-0001", "Vijfheerenlanden", "beschikbaar", date(2021, 3, 1)])
        sheet.append(["VHL-0002", "Vijfheerenlanden", "zoekend", date(2021, 3, 1)])
        sheet.cell(row=1_048_576, column=10).fill = PatternFill("solid", fgColor="FFFF00")
        path = folder / "styled.xlsx"
        book.save(path)
        return path
    if case == FILES[1]:
        import zipfile

        from openpyxl import Workbook

        path = folder / "bomb.xlsx"
        Workbook().save(path)
        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"A" * 1_000_000 + b"</t></is></c></row>"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
            for name, data in parts.items():
                if name != "xl/worksheets/sheet1.xml":
                    bomb.writestr(name, data)
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                            b"<sheetData>")
                for _ in range(1000):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")
        return path
    path = folder / "million.csv"
    path.write_text("ref,municipality,status,status_date\n" + "=,N,k,1\n" * 1_000_000, encoding="utf-8")
    return path


def file_child(case: str) -> dict:
    """One odd file imported in this process: seconds, outcome, memory before and at the peak."""
    import eet.entry.imports  # noqa: F401  (loaded before the baseline, as in a running server)
    from eet.bootstrap import initialise
    from eet.entry.imports import import_file
    from eet.store.engine import get_engine

    with tempfile.TemporaryDirectory() as folder:
        path = write_odd_file(Path(folder), case)
        size = path.stat().st_size
        engine = get_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        initialise(engine)
        baseline = _rss_mib()
        began = time.perf_counter()
        result = import_file(engine, "dwellings", path)
        seconds = time.perf_counter() - began
        engine.dispose()
    outcome = result.summary() if result.ok else str(result.errors[0])
    return {"case": case, "bytes": size, "seconds": seconds, "outcome": outcome[:110],
            "baseline_rss_mib": baseline, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_file_child(case: str) -> dict:
    process = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--file-child", case], cwd=ROOT,
                             capture_output=True, text=True)
    if process.returncode != 0:
        raise RuntimeError("bench/import_bench.py failed:\n" + process.stderr[-4000:])
    return json.loads(process.stdout.strip().splitlines()[-1])


def print_files() -> None:
    print(f"{'odd files (sqlite)':<34} {'size':>9} {'import s':>9} {'peak RSS':>9}  outcome")
    for case in FILES:
        r = run_file_child(case)
        print(f"  {case:<32} {r['bytes'] / 1024:>6.0f} KB {r['seconds']:>9.3f} {r['peak_rss_mib']:>5.0f} MiB"
              f"  ({r['baseline_rss_mib']:.0f} MiB before) {r['outcome']}")


def run_child(url: str, rows: int, events: int) -> dict:
    process = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", "--url", url, "--rows", str(rows),
         "--events", str(events)], cwd=ROOT, capture_output=True, text=True)
    if process.returncode != 0:
        raise RuntimeError("bench/import_bench.py failed:\n" + process.stderr[-4000:])
    return json.loads(process.stdout.strip().splitlines()[-1])


def measure(database_url: str, size: str) -> list[tuple]:
    """For bench/run.py: the case of this size ("pilot" 10,000 rows a file, "national" 100,000
    event rows) on the backend of `database_url`, in a fresh database beside it."""
    rows, events = CASES["national" if size == "national" else "pilot"]
    result = run_child(database_url, rows, events)
    return [tuple(row) for row in result["rows"]] + [
        ("import process before MiB", result["baseline_rss_mib"]),
        ("import process peak MiB", result["peak_rss_mib"])]


def print_table(title: str, result: dict) -> None:
    print(f"{title:<34} {'first s':>9} {'again s':>9}")
    for name, first, again in result["rows"]:
        print(f"  {name:<32} {first:>9.2f} {again:>9.2f}")
    print(f"  {'peak RSS (before imports)':<32} {result['peak_rss_mib']:>6.0f} MiB "
          f"({result['baseline_rss_mib']:.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=(*CASES, "both", "files"), default="both")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, help="dwellings and participants (a size of your own)")
    parser.add_argument("--events", type=int, help="event rows (with --rows; default three per participant)")
    parser.add_argument("--pg", default=PG_URL)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.rows, args.events)))
        return
    if args.file_child:
        print(json.dumps(file_child(args.file_child)))
        return
    if args.case == "files":
        print_files()
        return
    if args.rows:
        cases = {f"{args.rows:,} rows": (args.rows, args.events if args.events is not None else (args.rows // 3) * 3)}
    else:
        cases = {name: CASES[name] for name in (CASES if args.case == "both" else [args.case])}
    backends = {"sqlite": "sqlite:///unused.db", "postgresql": args.pg}
    chosen = list(backends) if args.backend == "both" else [args.backend]
    with open("/proc/loadavg") as load:
        print(f"load average: {' '.join(load.read().split()[:3])} on {os.cpu_count()} cores")
    for name, (rows, events) in cases.items():
        for backend in chosen:
            print_table(f"{backend}, {name}", run_child(backends[backend], rows, events))


if __name__ == "__main__":
    main()
