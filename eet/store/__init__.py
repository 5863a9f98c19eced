"""The system of record: settings (`config`), the database engine and sessions (`engine`), the tables
(`models`) and their migrations, the audit trail and the data version (`audit`, `audit_trail`),
backups (`backup`), and the coalition every database starts with (`coalition`, `contents`).

Its callers open the database through what is exported here; the tables are in `eet.store.models`.
"""

from eet.store.config import get_settings
from eet.store.engine import get_engine, migrate, session_scope

__all__ = ["get_engine", "get_settings", "migrate", "session_scope"]
