"""The migrations build exactly the schema the models declare (no drift)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from models.db import Database
from models.migrate import include_name


def test_migrated_database_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": include_name}), SQLModel.metadata
        )
    assert diff == []
