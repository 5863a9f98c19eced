"""What the dashboard processes of one `make serve` compute once between them (issue 28); no
Streamlit here: serve.py prepares the folder, ui.read uses it.

Each process caches its reads in its own memory (ui.read, st.cache_data): twenty people opening the
review page at a new date on two processes made the review twice, once in each. Here a read is
also kept in a folder the processes share (serve.py makes it and names it in EET_SHARED_FOLDER):
the first process to ask for a key takes an exclusive lock on that key's lock file
(fcntl.flock: the kernel releases it when the process ends, also when it is killed), computes and
writes the pickled value atomically (a temporary file, then os.replace); a process asking
meanwhile waits on the lock and reads the file. Without EET_SHARED_FOLDER (one `streamlit run`)
nothing is shared and nothing is written.

- correct after a write: every file lies under its data version (v<version>/), and a version
  is never asked again once a later one is seen (the data version only grows, also through a
  restore: eet.store.backup), so the folders of older versions are deleted;
- bounded: at most KEEP values of one version, the oldest deleted first;
- private: the values are figures of vulnerable people: the folder is mode 0700 and every file
  0600, both made by the server's own user; serve.py empties the folder at each start. A file
  read here is unpickled, so the folder must be writable by the server's user only, as it is.

Streamlit's own st.cache_data(persist="disk") was considered: it writes to one folder for every
app of the user, never deletes a file (its max_entries and ttl bound the memory only), and two
processes asking at once both compute. diskcache would fit, but is not in the shared venv; the
locking needed here is a few lines of the standard library.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

ENV = "EET_SHARED_FOLDER"
KEEP = 4096  # values of one data version; a review is about 10 kB


def prepare(folder: Path) -> Path:
    """serve.py, before the processes start: `folder` made empty, readable by this user only."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700, parents=True)
    os.chmod(folder, 0o700)  # mkdir's mode passes through the umask
    return folder


class Store:
    """Values shared by the processes that use one folder, each computed once per (data version,
    key) by whichever process asks first."""

    def __init__(self, folder: Path, keep: int = KEEP):
        self.folder, self.keep = Path(folder), keep
        self._newest = -1  # the newest version this process has seen

    def get(self, version: int, key: bytes, compute: Callable[[], Any]) -> Any:
        """The value for `key` (bytes that name what is computed) at data `version`: read from the
        folder, or computed by `compute()` here (while other processes asking wait) and written
        there. A computation that raises is not kept; a folder that cannot be used (deleted
        meanwhile, full disk) costs only the sharing."""
        here = self.folder / f"v{version}"
        name = hashlib.blake2b(key, digest_size=20).hexdigest()
        found = _load(here / f"{name}.pickle")
        if found is not None:
            return found[0]
        try:
            if version > self._newest:
                self._newest = version
                here.mkdir(mode=0o700, exist_ok=True)
                self._drop_older(version)
            lock = os.open(here / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return compute()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # waits, without the GIL, while another process computes
            found = _load(here / f"{name}.pickle")
            if found is not None:
                return found[0]
            value = compute()
            self._write(here, name, value)
            return value
        finally:
            os.close(lock)  # and with it the lock

    def _write(self, here: Path, name: str, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 (a value that cannot be pickled is only not shared)
            return
        try:
            handle, temporary = tempfile.mkstemp(dir=here, prefix=".", suffix=".tmp")  # mode 0600
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, here / f"{name}.pickle")
            # Whoever comes now finds the value; whoever waits on this lock file reads it too.
            os.unlink(here / f"{name}.lock")
            self._bound(here)
        except OSError:
            return

    def _bound(self, here: Path) -> None:
        values = [entry for entry in os.scandir(here) if entry.name.endswith(".pickle")]
        if len(values) <= self.keep:
            return
        def written(entry) -> float:
            try:
                return entry.stat().st_mtime
            except FileNotFoundError:  # removed meanwhile by another process
                return 0.0

        values.sort(key=written)
        for entry in values[: len(values) - self.keep // 2]:
            _remove(Path(entry.path))

    def _drop_older(self, version: int) -> None:
        for entry in os.scandir(self.folder):
            if entry.name.startswith("v") and entry.name[1:].isdigit() and int(entry.name[1:]) < version:
                shutil.rmtree(entry.path, ignore_errors=True)


def _load(path: Path) -> tuple[Any] | None:
    """(the value,) written at `path`, or None when there is none."""
    try:
        with open(path, "rb") as source:
            return (pickle.load(source),)
    except (FileNotFoundError, EOFError, pickle.UnpicklingError):  # none yet, or not whole
        return None


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


_stores: dict[str, Store] = {}


def store() -> Store | None:
    """The store of this process's EET_SHARED_FOLDER, or None when it has none (one process)."""
    folder = os.environ.get(ENV)
    if not folder:
        return None
    if folder not in _stores:
        _stores[folder] = Store(Path(folder))
    return _stores[folder]
