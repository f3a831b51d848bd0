"""the audit chain covers plans, people, units, organisation settings and queued emails

Revision ID: 0007c
Revises: 0006
Create Date: 2026-12-05 21:00:00.000000

No schema change. Every organisation's chain gets one entry, 'chain_coverage', that records the
last id of each newly bound table at this moment: `audit verify` reports a row at or below it
that no entry binds as "not bound (before chain coverage)", and any row above it as not in
the log. The entry is chained like any other, so the boundary itself cannot be moved.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import models.types
from models.chain import GENESIS, entry_hash


revision = '0007c'
down_revision = '0006'
branch_labels = None
depends_on = None

COVERED = ("plan", "person", "unit", "organisation", "outboxmessage")

audithead = sa.table(
    "audithead", sa.column("org_id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash", sa.String)
)
auditentry = sa.table(
    "auditentry",
    sa.column("org_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("plan_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("from_state", sa.String),
    sa.column("to_state", sa.String),
    sa.column("detail", sa.JSON),
    sa.column("created_at", models.types.UTCDateTime(timezone=True)),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def upgrade() -> None:
    conn = op.get_bind()
    org_ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM organisation ORDER BY id"))]
    if not org_ids:
        return
    before = {t: conn.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {t}")).scalar_one() for t in COVERED}
    now = datetime.now(UTC)
    heads = {row[0]: (row[1], row[2]) for row in conn.execute(sa.select(audithead))}
    for org_id in org_ids:
        seq, prev = heads.get(org_id, (0, GENESIS))
        entry = {
            "org_id": org_id,
            "seq": seq + 1,
            "plan_id": None,
            "actor": "migration",
            "action": "chain_coverage",
            "from_state": "",
            "to_state": "",
            "detail": {"before": {t: int(n) for t, n in before.items()}},
        }
        # the fields models.services.audit hashes, created_at as the column hands it back
        digest = entry_hash(prev, {**entry, "created_at": now.isoformat()})
        conn.execute(sa.insert(auditentry).values(**entry, created_at=now, prev_hash=prev, hash=digest))
        if org_id in heads:
            conn.execute(
                sa.update(audithead).where(audithead.c.org_id == org_id).values(seq=seq + 1, hash=digest)
            )
        else:
            conn.execute(sa.insert(audithead).values(org_id=org_id, seq=seq + 1, hash=digest))


def downgrade() -> None:
    pass  # the entry is part of the chain: later entries link to it
