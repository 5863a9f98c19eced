"""`streamlit run app.py` (the dashboard with its sign-in routes) on a free localhost port, for the real-browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, as root, on a machine whose only network is the package registries.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dashboard_processes(serve_pid: int) -> dict[int, int]:
    """{port: pid} of the dashboard processes serve.py runs (its children with a --server.port)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ports = [a for a in args if a.startswith(b"--server.port=")]
        if parent == serve_pid and ports:
            found[int(ports[0].split(b"=")[1])] = int(entry.name)
    return found


def open_connections(ports: set[int]) -> dict[int, int]:
    """{port: open connections} of those of `ports` (listening on this machine) that have any now
    (Linux /proc/net/tcp, state 01 ESTABLISHED)."""
    found: dict[int, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state = int(fields[1].split(":")[1], 16), fields[3]
        if state == "01" and local_port in ports:
            found[local_port] = found.get(local_port, 0) + 1
    return found


@contextmanager
def serving(command: list[str], ready_url: str, log: Path, env: dict | None = None,
            timeout: float = 60, cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """A local server started by `command`, ready once `ready_url` answers (its process is yielded);
    stopped afterwards. Its output goes to `log` (a pipe nobody reads would fill up and stall it)."""
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=1)
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{Path(command[0]).name} did not start; see {log}") from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def running_dashboard(database_url: str, log: Path, port: int | None = None,
                      extra_args: tuple[str, ...] = (), extra_env: dict | None = None) -> Iterator[str]:
    """The dashboard on `database_url`; yields its base URL. `extra_args` go to streamlit run
    (e.g. --secrets.files=…), `extra_env` to its environment."""
    port = port or free_port()
    env = {**os.environ, "EET_DATABASE_URL": database_url, "EET_LANG": "nl", **(extra_env or {})}
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
               "--server.fileWatcherType=none", *extra_args]
    with serving(command, base + "/_stcore/health", log, env=env, cwd=ROOT):
        yield base


def demo_dashboard(tmp_path_factory, name: str) -> Iterator[str]:
    """The body of a module-scoped fixture: the dashboard on a fresh demo database; yields its
    base URL."""
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine

    folder = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{folder / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    get_engine(url).dispose()
    with running_dashboard(url, folder / "streamlit.log") as base:
        yield base
