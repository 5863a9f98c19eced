"""bench/load.py keeps working: signed-in sessions over the websocket against one process and
against `make serve` (serve.py behind nginx), side by side, every case with positive times and the
throughput ratio printed. Times are measured by the bench, never asserted here."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="needs Debian's nginx")
def test_load_bench_prints_one_process_and_make_serve_side_by_side():
    result = subprocess.run([sys.executable, "bench/load.py", "--sessions", "3", "--rounds", "1", "--mixed-rounds", "1",
                             "--single-runs", "2", "--workers", "2", "--time-limit", "240"],
                            cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(result.stdout.strip().splitlines()[-1])["rows"]
    cases = {(row["setup"], row["case"]): row for row in rows}
    for setup in ("one process", "make serve (2 workers)"):
        for case, runs in (("1 session, review, new dates", 2), ("3 at once, review, same new date", 3),
                           ("3 at once, review, own new dates", 3), ("3 at once, mixed pages and dates", 3)):
            row = cases[(setup, case)]
            assert row["runs"] == runs and 0 < row["median"] <= row["p90"] and row["per_second"] > 0, row
            assert row["kB_per_run"] > 1 and row["cpu_per_run"] > 0, row
    assert "make serve / one process, runs a second, 3 at once, review, same new date:" in result.stdout
