"""An issued plan whose PDF went through the real render and seal step, and raw edits of its rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, update
from sqlmodel import SQLModel, select

from documents.certs import write_seal_certificate
from flows.steps import render_and_store
from models.db import Database
from models.lifecycle import State
from models.plans import Plan, RenderedDocument
from models.services import distribution, signing
from models.settings import Settings
from tests.factory import SIGNER, build, current_hash, drain_outbox

PASSWORD = "mật khẩu niêm phong"


@dataclass(frozen=True)
class Issued:
    plan_id: int
    pdf: bytes


def sealing_settings(tmp_path: Path) -> tuple[Settings, bytes]:
    """Settings that seal with a freshly made certificate; returns them and the CA to trust."""
    p12 = tmp_path / "seal.p12"
    ca = write_seal_certificate(p12, "ĐẢNG ỦY XÃ HÀM LIÊM", PASSWORD)
    return Settings(data_dir=tmp_path, seal_pkcs12=str(p12), seal_password=PASSWORD), ca.read_bytes()


def issue(db: Database, cfg: Settings) -> Issued:
    """A plan taken to 'issued' by the services, its PDF rendered (and sealed) as the flow does."""
    plan_id = build(db, State.APPROVED)
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    render_and_store(plan_id, db, cfg)
    distribution.start_distribution(db, plan_id)
    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None and plan.state == State.ISSUED
        pdf = session.exec(
            select(RenderedDocument).where(
                RenderedDocument.plan_id == plan_id, RenderedDocument.format == "pdf"
            )
        ).one()
    return Issued(plan_id, pdf.content)


def set_column(db: Database, model: type[SQLModel], row_id: int, column: str, value: Any) -> None:
    """A direct UPDATE through the table, bypassing the services: what database access allows."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == row_id).values({column: value}))
