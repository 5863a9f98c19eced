"""The timeline as known now, kept in a file per database, so that a new process (`python -m eet
report`, a restarted dashboard) reads it in milliseconds instead of reading every history again
(issue 15). eet.figures.timeline decides when it is still right (same data version) or can be
patched; this module only writes and reads it.

Where: beside a SQLite database (`eet.db` -> `eet.db.timeline.npz`), else in the user's cache
folder (`$XDG_CACHE_HOME/eet`, `~/.cache/eet`), named by a hash of the database URL without its
password. `EET_TIMELINE_FILE=off` keeps none. The file holds what the figures count: ids of
participants, dwellings and organisations, dates, codes and withdrawal reasons, no names, codes of
people or notes; like the database it is readable by its owner only (0600, in a 0700 folder made
for it). It is written whole to a temporary file and renamed, so a reader never sees half of one;
it is read with numpy's loader without pickle, so a file someone changed cannot run code.

A file is believed only when it and its folder belong to the user running the monitor and nobody
else can write them, as ssh treats its keys (issue 25: a forged file with the right stamp in a
world-writable cache folder was read, and the report said housed 0); otherwise it is neither read
nor written, and the histories are read from the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from eet.figures.histories import DwellingHistory, Intervals, ParticipantHistory, Timeline

FORMAT = 2
INTERVALS = ("eligible", "housed_now")
TEXTS = ("withdrawal_reason",)


def path_for(url: str) -> Path | None:
    """The file of the database at `url`, or None when none is kept (in-memory SQLite, or
    EET_TIMELINE_FILE=off)."""
    if os.environ.get("EET_TIMELINE_FILE", "").lower() == "off":
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return None
        return Path(parsed.database).with_name(Path(parsed.database).name + ".timeline.npz")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eet"
    name = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:20]
    return base / f"timeline-{name}.npz"


def _ours(path: Path, kind: int) -> bool:
    """`path` is a `kind` (stat.S_IFREG, S_IFDIR) itself, not a link to one, belongs to this user,
    and neither its group nor others may write it."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_IFMT(info.st_mode) == kind and info.st_uid == os.geteuid() and not info.st_mode & 0o022


def trusted(path: Path) -> bool:
    """Whether the file at `path` and its folder may be believed (see the module's docstring)."""
    return _ours(path.parent, stat.S_IFDIR) and _ours(path, stat.S_IFREG)


def save(url: str, timeline: Timeline) -> None:
    """Write the timeline as the file of `url`; a folder or disk that refuses is no error (the
    next process reads the histories again)."""
    path = path_for(url)
    if path is None or timeline.stamp is None:
        return
    arrays = _arrays(timeline)
    try:
        folder_made = not path.parent.exists()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder_made:
            os.chmod(path.parent, 0o700)
        if not _ours(path.parent, stat.S_IFDIR):  # a folder others can write: keep nothing there
            return
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".timeline-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as out:  # mkstemp makes it 0600
                np.savez(out, **{name: _narrow(values) for name, values in arrays.items()})
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def remove(url: str) -> None:
    """Remove the file of `url`, if there is one."""
    path = path_for(url)
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def load(url: str) -> Timeline | None:
    """The timeline kept for `url`, or None (no file, another format, or a damaged one)."""
    path = path_for(url)
    if path is None or not path.exists() or not trusted(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return _timeline({name: data[name] for name in data.files})
    except Exception:  # noqa: BLE001 - truncated (BadZipFile), empty (EOFError), anything: read again
        return None


def _narrow(values: np.ndarray) -> np.ndarray:
    """Integers as int32 where they fit (ids and day numbers do): half the file to write and read.
    They are counted as int32 too: every sum numpy widens, and no difference of two days or ids
    leaves int32."""
    if values.dtype == np.int64 and (not values.size or (values.min() >= -2**31 and values.max() < 2**31)):
        return values.astype(np.int32)
    return values


def _arrays(timeline: Timeline) -> dict[str, np.ndarray]:
    version, changed_at = timeline.stamp
    meta = {"format": FORMAT, "version": version, "changed_at": _moment_text(changed_at),
            "audit_mark": timeline.audit_mark, "audit_mark_at": _moment_text(timeline.audit_mark_at)}
    out = {"meta": np.array(json.dumps(meta))}
    people = timeline.participants
    for name, value in vars(people).items():
        if isinstance(value, Intervals):
            out.update({f"p.{name}.{part}": getattr(value, part) for part in ("owner", "start", "end", "kind")})
        elif name in TEXTS:
            out.update(_texts(f"p.{name}", list(value)))
        else:
            out[f"p.{name}"] = value
    homes = timeline.dwellings
    out.update({"d.id": homes.id, "d.change_owner": homes.change_owner, "d.change_day": homes.change_day})
    for name, values in homes.columns.items():
        out.update(_texts(f"d.text.{name}", values.tolist()) if values.dtype == object
                   else {f"d.column.{name}": values})
    out.update({f"d.status.{part}": getattr(homes.status, part) for part in ("owner", "start", "end", "kind")})
    return out


def _timeline(data: dict[str, np.ndarray]) -> Timeline | None:
    meta = json.loads(str(data["meta"]))
    if meta.get("format") != FORMAT:
        return None
    fields = {}
    for name in ParticipantHistory.__dataclass_fields__:
        if name in INTERVALS:
            fields[name] = Intervals(*(data[f"p.{name}.{part}"] for part in ("owner", "start", "end", "kind")))
        elif name in TEXTS:
            fields[name] = tuple(_read_texts(data, f"p.{name}").tolist())
        else:
            fields[name] = data[f"p.{name}"]
    columns = {key.removeprefix("d.column."): data[key] for key in data if key.startswith("d.column.")}
    columns.update({key.removeprefix("d.text.").removesuffix(".codes"): _read_texts(data, key.removesuffix(".codes"))
                    for key in data if key.startswith("d.text.") and key.endswith(".codes")})
    homes = DwellingHistory(
        id=data["d.id"], columns=columns,
        status=Intervals(*(data[f"d.status.{part}"] for part in ("owner", "start", "end", "kind"))),
        change_owner=data["d.change_owner"], change_day=data["d.change_day"])
    return Timeline(ParticipantHistory(**fields), homes, (meta["version"], _moment(meta["changed_at"])),
                    meta["audit_mark"], _moment(meta["audit_mark_at"]))


def _texts(name: str, values: list) -> dict[str, np.ndarray]:
    """Texts (None included) as codes into their distinct values: a few kB where the texts
    themselves took megabytes."""
    distinct = sorted(set(values), key=lambda v: (v is not None, v or ""))
    code = {value: i for i, value in enumerate(distinct)}
    return {f"{name}.codes": np.array([code[v] for v in values], np.int32),
            f"{name}.values": np.array(json.dumps(distinct))}


def _read_texts(data: dict[str, np.ndarray], name: str) -> np.ndarray:
    distinct = np.array(json.loads(str(data[f"{name}.values"])) + [None], object)[:-1]
    return distinct[data[f"{name}.codes"]]


def _moment_text(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None
