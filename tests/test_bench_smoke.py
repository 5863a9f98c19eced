"""The benchmarks keep working: bench/run.py at pilot size on SQLite prints its tables (the figures
against bare SQL, and ours against the pandas peer with the answers checked equal), and
bench/browser.py clicks once through every page in Chromium. Timings are not asserted (they are
measured by the benchmarks, not by tests); that every row is there with a positive time is."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def test_bench_prints_the_table_at_pilot_size():
    result = subprocess.run([sys.executable, "bench/run.py", "--size", "pilot", "--backend", "sqlite"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== pilot on sqlite: 150 dwellings" in out and "300 participants" in out
    assert "figure ms" in out and "bare SQL ms" in out and "ratio" in out
    for figure in ("dwelling_counts", "dwellings_by_municipality", "funnel", "lead_time", "retention_12m",
                   "build_report", "python -m eet report"):
        line = next(line for line in out.splitlines() if line.startswith(figure + " "))
        assert float(line.split()[-4 if figure != "python -m eet report" else 4]) > 0, line
    assert "peak RSS" in out
    # Side by side with the peer: our time, the peer's, the ratio, per case.
    assert "versus the pandas peer" in out
    for case in ("first report (fresh process)", "a new as-of date", "date slider (10 month-ends)",
                 "whole process (eet report vs peer.py)", "report after a write"):
        line = next(line for line in out.splitlines() if line.startswith(case))
        ours, theirs, ratio = (float(x) for x in line[len(case):].split()[:3])
        assert ours > 0 and theirs > 0 and abs(ratio - ours / theirs) < 0.01 + 0.01 * ratio, line


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_browser_bench_clicks_through_every_page():
    result = subprocess.run([sys.executable, "bench/browser.py", "--roles", "viewer,admin", "--rounds", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {}
    cell = r"-|\d+ /\s*\d+ /\s*\d+"  # drawn / title / server ms, or no access
    for line in result.stdout.splitlines():
        match = re.match(rf"^(\S.*?)\s{{2,}}((?:\s*(?:{cell}))+)\s*$", line)
        if match:
            rows[match.group(1)] = re.findall(cell, match.group(2))
    # Viewer: the five aggregate pages; admin: those and entry, upload, registers, admin, audit.
    assert "sign-in → Overzicht" in rows
    for page in ("Overzicht", "Woningen", "Deelnemers", "Onderzoek", "Tussentijdse evaluatie"):
        assert all(cell != "-" for cell in rows[page]), (page, rows[page])
    for page in ("Invoer woningen", "Beheer", "Audittrail"):
        viewer, admin = rows[page]
        assert viewer == "-" and admin != "-", (page, rows[page])
    served_any = False
    for cells in rows.values():
        for cell in cells:
            if cell != "-":
                drawn, titled, served = (int(x) for x in re.findall(r"\d+", cell))
                assert 0 < titled <= drawn, cells
                served_any = served_any or served > 0
    assert served_any  # bench/served.py noted the server's runs
