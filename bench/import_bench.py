"""How long an import of 10,000 good rows takes, on SQLite and on the local PostgreSQL.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Writes three files (dwellings, participants, events: every participant assessed eligible, then
matched to and housed in a dwelling of their own), imports each into a fresh database, then imports
them again (all unchanged). Not a test: it prints times.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from eet.bootstrap import initialise  # noqa: E402
from eet.db import get_engine  # noqa: E402
from eet.imports import import_file  # noqa: E402

MUNICIPALITIES = ("Utrecht", "Zeist", "Houten", "Nieuwegein", "Woerden")


def write_files(folder: Path, rows: int) -> list[tuple[str, Path]]:
    start = date(2021, 1, 15)
    n = rows // 3  # events: three per participant
    files = {
        "dwellings": [["ref", "municipality", "corporation", "status", "status_date", "building_type"]],
        "participants": [["code", "referrer", "care_provider", "central_waiting_list", "referred_on"]],
        "events": [["code", "event", "date", "outcome", "dwelling_ref"]],
    }
    for i in range(rows):
        files["dwellings"].append([f"B-{i:05d}", MUNICIPALITIES[i % 5], "Mitros", "available",
                                   (start + timedelta(days=i % 30)).isoformat(), "existing"])
        files["participants"].append([f"P-{i:05d}", "Regionale Toegang", "Lister", "ja",
                                      (start + timedelta(days=i % 60)).isoformat()])
    for i in range(n):
        referred = start + timedelta(days=i % 60)
        files["events"] += [
            [f"P-{i:05d}", "assessed", (referred + timedelta(days=5)).isoformat(), "eligible", ""],
            [f"P-{i:05d}", "matched", (referred + timedelta(days=40)).isoformat(), "", f"B-{i:05d}"],
            [f"P-{i:05d}", "housed", (referred + timedelta(days=60)).isoformat(), "", f"B-{i:05d}"],
        ]
    paths = []
    for kind, content in files.items():
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(content)
        paths.append((kind, path))
    return paths


def run(url: str, files: list[tuple[str, Path]]) -> None:
    engine = get_engine(url)
    initialise(engine)
    for attempt in ("first", "again"):
        for kind, path in files:
            began = time.perf_counter()
            result = import_file(engine, kind, path)
            seconds = time.perf_counter() - began
            assert result.ok, [str(e) for e in result.errors[:5]]
            print(f"  {kind:<12} {len(result.rows):>6} rows  {seconds:6.2f} s  ({attempt}: {result.summary()})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), args.rows)
        print(f"SQLite ({args.rows} rows per file)")
        run(f"sqlite:///{folder}/bench.db", files)
        name = f"eet_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            print(f"PostgreSQL ({args.rows} rows per file)")
            run(make_url(args.pg).set(database=name).render_as_string(hide_password=False), files)
        finally:
            get_engine(make_url(args.pg).set(database=name).render_as_string(hide_password=False)).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
