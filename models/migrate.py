"""Schema changes go through Alembic migrations (models/migrations/versions)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Built by migration 0008 in SQL, not declared by a model: autogenerate must leave them be.
SEARCH_INDEX = ("planversion_fts", "ix_planversion_words")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: everything but the full-text search index (and its FTS5 tables)."""
    return not (name or "").startswith(SEARCH_INDEX)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def autogenerate(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
