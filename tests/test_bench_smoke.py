"""The benchmark runs at pilot size on SQLite and prints its table (timings are not asserted:
they are measured by bench/run.py, not by tests)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
