"""`audit verify` on a document whose PDF column was rewritten as text: reported, not a crash."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from models.db import Database
from models.services import audit
from models.settings import Settings
from tests.evidence.support import issue
from tests.factory import load_people


def test_a_pdf_column_rewritten_as_text_is_reported(db: Database, tmp_path: Path) -> None:
    load_people(db)
    issued = issue(db, Settings(data_dir=tmp_path))
    with db.engine.begin() as conn:
        org_id = conn.execute(
            text("SELECT org_id FROM plan WHERE id = :id"), {"id": issued.plan_id}
        ).scalar_one()
        sql = "UPDATE rendereddocument SET content = {} WHERE plan_id = :id AND format = 'pdf'"
        value = "'%PDF-1.7 rewritten'" if db.engine.dialect.name == "sqlite" else "convert_to('%PDF', 'UTF8')"
        conn.execute(text(sql.format(value)), {"id": issued.plan_id})
    report = audit.verify(db, org_id)
    assert report.broken_at is not None
    assert "its bytes do not match their sha256" in report.reason
