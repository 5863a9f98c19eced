"""`eet.db.get_engine(url)` as analysts' scripts know it (spec/interfaces.md, "Python API"); the
engine lives in `eet.store.engine`."""

from eet.store.engine import get_engine, migrate, session_scope

__all__ = ["get_engine", "migrate", "session_scope"]
