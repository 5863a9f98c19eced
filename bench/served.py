"""`streamlit run app.py …` that also notes every script run: bench/browser.py serves the
dashboard through this file, to tell the server's part of a click from the browser's.

    EET_BENCH_RUN_LOG=runs.jsonl python bench/served.py app.py --server.port=8501 …

Each script run appends one line of JSON to $EET_BENCH_RUN_LOG: {"start": ms, "end": ms, "cpu": ms}
(epoch milliseconds, from entering Streamlit's ScriptRunner._run_script until it returns, so
including what Streamlit does after the script, such as its garbage collection; "cpu" is the
server process's CPU time meanwhile, all threads, which a loaded machine does not stretch). With $EET_BENCH_PROFILE set
to a folder, each run is also profiled (cProfile, in the script thread) into run-<n>.prof there:
`python -m pstats run-1.prof`, or `sort cumtime` / `stats 30` in it. Everything else is `streamlit
run` unchanged, with its command-line options.
"""

from __future__ import annotations

import cProfile
import itertools
import json
import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_LOG = os.environ.get("EET_BENCH_RUN_LOG")
_PROFILE = os.environ.get("EET_BENCH_PROFILE")
_lock = threading.Lock()
_numbers = itertools.count(1)
_run_script = script_runner.ScriptRunner._run_script


def _noted_run(self, *args, **kwargs):
    start, cpu = time.time() * 1000, time.process_time()
    profile = cProfile.Profile() if _PROFILE else None
    try:
        if profile is None:
            return _run_script(self, *args, **kwargs)
        return profile.runcall(_run_script, self, *args, **kwargs)
    finally:
        end, cpu = time.time() * 1000, (time.process_time() - cpu) * 1000
        if profile is not None:
            profile.dump_stats(os.path.join(_PROFILE, f"run-{next(_numbers)}.prof"))
        if _LOG:
            line = json.dumps({"start": start, "end": end, "cpu": cpu})
            with _lock, open(_LOG, "a") as out:
                out.write(line + "\n")


if __name__ == "__main__":
    script_runner.ScriptRunner._run_script = _noted_run
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())
