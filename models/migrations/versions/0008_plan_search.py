"""a full-text index over each version's title and text, for the inbox search

Revision ID: 0008
Revises: 0007c
Create Date: 2026-12-06 00:00:00.000000

SQLite: an FTS5 table over planversion (external content, kept by triggers: versions are
only ever inserted, the update and delete triggers are there for completeness). PostgreSQL:
a GIN index over the same words as a 'simple' tsvector. Both match whole words and word
beginnings, ignoring case, not diacritics ("thiên" is not "thiện"). Autogenerate leaves
them alone (`models.migrate.include_name`). A later batch migration of planversion on
SQLite copies the table: it must create the three triggers again.
"""
from alembic import op


revision = '0008'
down_revision = '0007c'
branch_labels = None
depends_on = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE planversion_fts USING fts5("
    "title, body, content='planversion', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER planversion_fts_ai AFTER INSERT ON planversion BEGIN "
    "INSERT INTO planversion_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER planversion_fts_ad AFTER DELETE ON planversion BEGIN "
    "INSERT INTO planversion_fts(planversion_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER planversion_fts_au AFTER UPDATE ON planversion BEGIN "
    "INSERT INTO planversion_fts(planversion_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO planversion_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO planversion_fts(planversion_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS planversion_fts_au",
    "DROP TRIGGER IF EXISTS planversion_fts_ad",
    "DROP TRIGGER IF EXISTS planversion_fts_ai",
    "DROP TABLE IF EXISTS planversion_fts",
)
POSTGRES_UP = (
    "CREATE INDEX ix_planversion_words ON planversion "
    "USING gin (to_tsvector('simple'::regconfig, title || ' ' || body))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_planversion_words",)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN)
