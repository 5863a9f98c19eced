"""Changes made outside the monitor (issue 25): SQL typed in `sqlite3` or `psql`, or run by an
analyst's script through `eet.db.get_engine`, seen by the next report and by every running dashboard
at its next page run, without `python -m eet refresh`.

How: triggers (migration 0009) count every write to the tables the figures are made from in one
row, `change_counter.changes` (a statement-level trigger on PostgreSQL: one count per statement; a
row-level one on SQLite, which has no other kind), except the writes of eet's own connections, which
are marked: on PostgreSQL by their application_name (`eet`), on SQLite by their busy timeout
(SQLITE_TIMEOUT, 30.017 s; a trigger reads it through `pragma_busy_timeout`). A write of eet's own
connection that bumps no data version (SQL run through `eet.db.get_engine` by an analyst's script)
is counted by eet itself when it commits (`count_change`, called from eet.figures.timeline's commit
hook). `data_version.changes_seen` is the counter as eet last caught up. Whoever reads the data
version next (a page run: ui.current_version; a report or a pack: the CLI and
eet.figures.timeline) reads, in the same statement, whether the counter moved past it, and then
`catch_up` does what `refresh` does (an audit record no patch can place, the data version bumped:
every process reads every history again, every cached figure is dropped), once, whoever notices
first; the timeline of a report that notices reads the tables as they are and is not kept.

eet's own writes are not counted, so an eet write takes no lock beyond its own (no lock-order
deadlock with the writers' lock, eet.store.audit.bump_data_version), and a change typed by hand is
never taken for eet's (a change made just before an eet write is caught up all the same).

Cost: the check adds a column and a one-row sub-select to the statement that reads the data version
(measured by bench/outside_bench.py, bench/FINDINGS-issue25.md); a write from outside pays one
counter update per statement (PostgreSQL) or per row (SQLite), eet's writes one comparison per
statement (PostgreSQL) or row (SQLite).
"""

from __future__ import annotations

from sqlalchemy import literal_column, text
from sqlalchemy.engine import Connection, Engine

COUNTER = "change_counter"
# The tables the figures, registers and review are made from (migration 0009). Not counted: the
# audit trail, the data version itself, accounts, sessions and failed sign-ins, which eet writes
# without a new data version (a sign-in changes no figure).
COUNTED_TABLES = ("bottleneck", "cost_parameter", "decision", "dwelling", "dwelling_status_change",
                  "dwelling_version", "factor", "measurement", "month_sign_off", "organisation",
                  "organisation_version", "participant", "participant_event", "participant_version", "pledge",
                  "review_meeting", "setting", "target")
FUNCTION = "eet_count_change"

# Whether a change was made outside eet: a column added to the statement that reads the data version.
_CHANGED_OUTSIDE_SQL = f"(data_version.changes_seen <> (SELECT {COUNTER}.changes FROM {COUNTER} WHERE {COUNTER}.id = 1))"
CHANGED_OUTSIDE = literal_column(_CHANGED_OUTSIDE_SQL)


APPLICATION_NAME = "eet"  # PostgreSQL: the application_name of eet's connections (eet.store.engine)
SQLITE_TIMEOUT = 30.017  # SQLite: eet's busy timeout in seconds, 30017 ms: the mark of its connections


def trigger_ddl(dialect: str, tables: tuple[str, ...] = COUNTED_TABLES) -> list[str]:
    """The statements that make the counting triggers on `tables` (for migrations)."""
    if dialect == "postgresql":
        out = [f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN
                     IF current_setting('application_name', true) IS DISTINCT FROM '{APPLICATION_NAME}' THEN
                       UPDATE {COUNTER} SET changes = changes + 1 WHERE id = 1;
                     END IF;
                     RETURN NULL;
                   END $$"""]
        for table in tables:
            out.append(f'CREATE TRIGGER eet_count_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")
        return out
    mark = round(SQLITE_TIMEOUT * 1000)
    return [f'CREATE TRIGGER eet_count_{table}_{action.lower()} AFTER {action} ON "{table}" FOR EACH ROW '
            f"WHEN (SELECT timeout FROM pragma_busy_timeout) IS NOT {mark} "
            f"BEGIN UPDATE {COUNTER} SET changes = changes + 1 WHERE id = 1; END"
            for table in tables for action in ("INSERT", "UPDATE", "DELETE")]


def drop_trigger_ddl(dialect: str, tables: tuple[str, ...] = COUNTED_TABLES) -> list[str]:
    if dialect == "postgresql":
        return [f'DROP TRIGGER IF EXISTS eet_count_{table} ON "{table}"' for table in tables] + [
            f"DROP FUNCTION IF EXISTS {FUNCTION}()"]
    return [f"DROP TRIGGER IF EXISTS eet_count_{table}_{action}" for table in tables
            for action in ("insert", "update", "delete")]


_COUNTED: dict[str, bool] = {}  # per engine URL: the database has the counter (migration 0009)


def counted(connection: Connection) -> bool:
    """Whether this database counts changes (migration 0009 is applied)."""
    url = str(connection.engine.url)
    if not _COUNTED.get(url):
        from sqlalchemy import inspect

        _COUNTED[url] = inspect(connection).has_table(COUNTER)
    return _COUNTED[url]


def count_change(connection: Connection) -> None:
    """A write of eet's own connection to a counted table that bumped no data version (an
    analyst's SQL through eet.db.get_engine): counted as one from outside, in its transaction.
    Through the DB-API cursor, so that eet's own statement hooks do not see it."""
    if not counted(connection):
        return
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"UPDATE {COUNTER} SET changes = changes + 1 WHERE id = 1")
    finally:
        cursor.close()


def version_checked(connection: Connection) -> tuple[int, bool]:
    """(the data version, whether a change was made outside eet since eet last wrote)."""
    from sqlalchemy import select

    from eet.store.models import DataVersion

    query = select(DataVersion.version).where(DataVersion.id == 1)
    if counted(connection):
        query = query.add_columns(CHANGED_OUTSIDE)
    row = connection.execute(query).first()
    if row is None:
        return 0, False
    return int(row[0] or 0), bool(row[1]) if len(row) > 1 else False


def catch_up(engine: Engine) -> bool:
    """After a change made outside eet: what `python -m eet refresh` does, once (the writers'
    lock taken first, then looked again: a second process that noticed the same change finds it
    caught up). Returns whether this call caught up."""
    from sqlmodel import Session

    from eet.accounts.access import SYSTEM
    from eet.figures import timeline
    from eet.store import audit

    with Session(engine) as session:
        audit.bump_data_version(session)  # the writers' lock
        outside = session.execute(text(f"SELECT {_CHANGED_OUTSIDE_SQL} FROM data_version WHERE id = 1")).scalar()
        if not outside:
            session.rollback()
            return False
        # Seen as the counter stands under the lock: a change committed after this is caught next time.
        session.execute(text(f"UPDATE data_version SET changes_seen = (SELECT changes FROM {COUNTER} WHERE id = 1) "
                             "WHERE id = 1"))
        timeline.refresh(session, SYSTEM, source="outside")  # commits
    return True


def current_version(engine: Engine) -> int:
    """The data version, a change made outside eet caught up first (a page run, a report)."""
    from eet.store.engine import is_busy

    with engine.connect() as connection:
        version, outside = version_checked(connection)
    if outside:
        try:
            catch_up(engine)
        except Exception as exc:  # another writer held the database: the next run catches up
            if not is_busy(exc):
                raise
        with engine.connect() as connection:
            version, _ = version_checked(connection)
    return version
