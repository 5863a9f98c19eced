"""Settings read from the environment, in one typed object (see spec/interfaces.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'eet.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    lang: str
    small_count: int
    accessibility_contact: str = ""  # EET_ACCESSIBILITY_CONTACT: who answers about accessibility

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _database_url(raw: str | None) -> str:
    if not raw:
        return DEFAULT_DATABASE_URL
    # A relative SQLite path is relative to the project root, as the spec promises.
    prefix = "sqlite:///"
    if raw.startswith(prefix) and not raw.startswith(prefix + "/") and raw != "sqlite://":
        path = raw[len(prefix):]
        if path and path != ":memory:":
            return prefix + str(PROJECT_ROOT / path)
    return raw


def get_settings() -> Settings:
    lang = os.environ.get("EET_LANG", "nl").strip().lower()
    try:
        small = int(os.environ.get("EET_SMALL_COUNT", "5"))
    except ValueError:
        small = 5
    return Settings(
        database_url=_database_url(os.environ.get("EET_DATABASE_URL")),
        lang=lang if lang in ("nl", "en") else "nl",
        small_count=max(small, 1),
        accessibility_contact=os.environ.get("EET_ACCESSIBILITY_CONTACT", "").strip(),
    )
