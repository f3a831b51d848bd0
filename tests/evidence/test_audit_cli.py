"""`banhanh audit verify|evidence` against a real SQLite file: a changed byte anywhere, a chain
rewritten to hide it (caught by the anchor printed in the issued PDF), and the evidence export."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from cli import context
from cli.app import app
from documents.anchors import anchors_in_pdf
from models.chain import GENESIS, entry_hash
from models.content import content_hash
from models.db import Database
from models.plans import Plan, PlanVersion, ReviewTask
from models.records import AuditAnchor, AuditEntry, AuditHead, Delivery
from models.services import audit
from models.services.versions import content_of
from tests.evidence.support import Issued, issue, sealing_settings, set_column
from tests.factory import R1, R2, SIGNER, load_people

TABLES: dict[str, Any] = {m.__tablename__: m for m in audit.BOUND}


@pytest.fixture
def banhanh(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The command in this process (typer's runner): the same code path, without a start-up per call."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BANHANH_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str) -> Result:
        context.settings.cache_clear()
        context.database.cache_clear()
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def issued(db: Database, tmp_path: Path) -> Issued:
    load_people(db)
    cfg, _ = sealing_settings(tmp_path)
    return issue(db, cfg)


def entry_of(db: Database, plan_id: int, action: str) -> AuditEntry:
    with db.read() as s:
        return s.exec(
            select(AuditEntry).where(AuditEntry.plan_id == plan_id, AuditEntry.action == action)
        ).one()


def rewrite_chain(db: Database, version_id: int, body: str) -> None:
    """Change a version's text and make everything agree again: its hash, the decisions on it, every
    digest and entry hash from the first entry on, the head and the anchors kept in the database."""
    with db.write() as s:
        version = s.get(PlanVersion, version_id)
        assert version is not None
        old = version.content_hash
        version.body = body
        version.content_hash = new = content_hash(content_of(version))
        for task in s.exec(select(ReviewTask).where(ReviewTask.version_hash == old)):
            task.version_hash = new
            s.add(task)
        s.add(version)
        s.flush()
        org_id = s.exec(select(Plan.org_id).where(Plan.id == version.plan_id)).one()
        prev = GENESIS
        for entry in s.exec(select(AuditEntry).where(AuditEntry.org_id == org_id).order_by(AuditEntry.seq)):
            detail = json.loads(json.dumps(entry.detail).replace(old, new))
            for key in detail.get(audit.ROWS, {}):
                table, row_id = key.split(":")
                detail[audit.ROWS][key] = audit.binding_of(s.get(TABLES[table], int(row_id)))
            entry.detail, entry.prev_hash = detail, prev
            entry.hash = prev = entry_hash(prev, audit._fields(entry))
            s.add(entry)
        s.flush()
        head = s.get(AuditHead, org_id)
        assert head is not None
        head.hash = prev
        for anchor in s.exec(select(AuditAnchor).where(AuditAnchor.org_id == org_id)):
            anchor.hash = s.exec(
                select(AuditEntry.hash).where(AuditEntry.org_id == org_id, AuditEntry.seq == anchor.seq)
            ).one()
            s.add(anchor)


def test_a_changed_byte_in_an_entry_version_or_decision_fails_verify(
    db: Database, issued: Issued, banhanh: Any
) -> None:
    ok = banhanh("audit", "verify")
    assert ok.exit_code == 0 and "hamliem: " in ok.stdout and "chain intact" in ok.stdout, (
        ok.stdout + ok.stderr
    )

    sign = entry_of(db, issued.plan_id, "sign")
    with db.read() as s:
        task = s.exec(select(ReviewTask).where(ReviewTask.plan_id == issued.plan_id)).first()
        version = s.exec(select(PlanVersion).where(PlanVersion.plan_id == issued.plan_id)).one()
    assert task is not None
    changes: list[tuple[type[Any], int, str, Any, str]] = [
        (AuditEntry, sign.id or 0, "actor", sign.actor.replace("pbt@", "pbu@"), f"entry {sign.seq} (sign)"),
        (PlanVersion, version.id or 0, "body", version.body.replace("Quán", "Quân", 1), "version"),
        (ReviewTask, task.id or 0, "comment", "x", "review task"),
        (ReviewTask, task.id or 0, "status", "rejected", "review task"),
    ]
    for model, row_id, column, value, named in changes:
        with db.read() as s:
            original = getattr(s.get(model, row_id), column)
        assert value != original
        set_column(db, model, row_id, column, value)
        broken = banhanh("audit", "verify")
        assert broken.exit_code == 1, (column, broken.stdout)
        assert named in broken.stdout, broken.stdout
        set_column(db, model, row_id, column, original)
        assert banhanh("audit", "verify").exit_code == 0


def test_a_rewritten_chain_passes_verify_but_not_the_anchor_in_the_issued_pdf(
    db: Database, issued: Issued, banhanh: Any, tmp_path: Path
) -> None:
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued.pdf)
    sign = entry_of(db, issued.plan_id, "issue")  # the issuance records the head the PDF prints
    [printed] = anchors_in_pdf(issued.pdf)
    assert (printed.org_key, printed.seq, printed.head) == ("hamliem", sign.seq, sign.hash[:16])
    held = banhanh("audit", "verify", "--anchor", str(pdf))
    assert held.exit_code == 0 and f"anchor #{sign.seq}" in held.stdout and "holds" in held.stdout

    with db.read() as s:
        version = s.exec(select(PlanVersion).where(PlanVersion.plan_id == issued.plan_id)).one()
    rewrite_chain(db, version.id or 0, version.body + "\n\n- Nội dung thêm sau khi ký.")

    plain = banhanh("audit", "verify")
    assert plain.exit_code == 0 and "chain intact" in plain.stdout, plain.stdout
    anchored = banhanh("audit", "verify", "--anchor", str(pdf))
    assert anchored.exit_code == 1
    assert f"entry #{sign.seq} (issue)" in anchored.stdout and "rewritten" in anchored.stdout, anchored.stdout
    by_head = banhanh("audit", "verify", "--head", f"{sign.seq}:{sign.hash}", "--org", "hamliem")
    assert by_head.exit_code == 1 and f"entry #{sign.seq} (issue)" in by_head.stdout


def test_evidence_export_lists_versions_decisions_number_deliveries_and_anchors(
    db: Database, issued: Issued, banhanh: Any, tmp_path: Path
) -> None:
    out = tmp_path / "evidence.pdf"
    made = banhanh("audit", "evidence", str(issued.plan_id), "--out", str(out))
    assert made.exit_code == 0, made.stderr
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
    flat = re.sub(r"\s+", "", text)  # long hashes and Message-IDs wrap inside their cells

    with db.read() as s:
        version = s.exec(select(PlanVersion).where(PlanVersion.plan_id == issued.plan_id)).one()
        deliveries = s.exec(select(Delivery).where(Delivery.plan_id == issued.plan_id)).all()
        anchor = s.exec(select(AuditAnchor).where(AuditAnchor.plan_id == issued.plan_id)).one()
    assert version.content_hash in flat
    for actor in (R1, R2, SIGNER):
        assert actor in flat
    assert flat.count(version.content_hash) >= 4  # the version, two approvals and the signature
    assert "Số01-KH/ĐU" in flat
    sent = [d for d in deliveries if d.status == "sent"]
    assert len(sent) == 4 and all(d.message_id in flat for d in sent)
    assert "250OK" in flat and "not_emailed" in flat and "filed" in flat
    assert anchor.hash in flat
    assert "intact" in text
    held = banhanh("audit", "verify", "--anchor", str(out))  # the export is an anchor too
    assert held.exit_code == 0 and held.stdout.count("holds") == 2, held.stdout


def test_unknown_plan_and_bad_head_are_clear_errors(banhanh: Any, db: Database) -> None:
    load_people(db)
    missing = banhanh("audit", "evidence", "99", "--out", "x.pdf")
    assert missing.exit_code == 4 and "plan" in missing.stderr
    bad = banhanh("audit", "verify", "--head", "3:abc")
    assert bad.exit_code == 2 and "--head" in bad.stderr
