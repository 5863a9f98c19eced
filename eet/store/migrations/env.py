"""Alembic environment: the metadata of eet.store.models, the engine of eet.db (or the one passed in)."""

from alembic import context
from sqlmodel import SQLModel

from eet.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from eet.store.engine import get_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or get_engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
