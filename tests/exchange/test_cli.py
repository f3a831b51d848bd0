"""`banhanh plan export-edxml` as an operator runs it: a real process and database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from exchange import edxml, signature
from models.db import Database
from models.lifecycle import State
from tests.exchange.issued import PASSWORD
from tests.exchange.test_refusals import HAMLIEM, hamliem
from tests.factory import build


def banhanh(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "BANHANH_DATA_DIR": str(tmp_path),
        "BANHANH_CLI_LANGUAGE": "vi",
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        cwd=tmp_path,
        text=True,
        capture_output=True,
        check=False,
    )


def test_the_command_writes_a_signed_package(db: Database, db_url: str, tmp_path: Path) -> None:
    hamliem(db, tmp_path)
    plan_id = build(db, State.ISSUED)
    result = banhanh(
        db_url, tmp_path, "plan", "export-edxml", str(plan_id), "--priority", "hoa-toc", "--json"
    )
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)
    path = tmp_path / written["file"]
    assert path.name == "ke-hoach.edxml"  # named after the issued PDF (ke-hoach.pdf here)
    assert written["bytes"] == path.stat().st_size
    assert written["document_id"].startswith(f"{HAMLIEM.agency_id},") and written["document_id"].endswith(
        ",01/KH/ĐU"
    )
    key = signature.load_key(tmp_path / "seal.p12", PASSWORD)
    signature.verify(path.read_bytes(), key.certificate_pem)
    package = edxml.parse(path.read_bytes())
    assert package.priority == 3 and [r.organ_id for r in package.receivers] == written["to"]


def test_the_command_writes_nothing_when_it_refuses(db: Database, db_url: str, tmp_path: Path) -> None:
    hamliem(db, tmp_path)
    plan_id = build(db, State.SIGNED)
    out = tmp_path / "out.edxml"
    result = banhanh(db_url, tmp_path, "plan", "export-edxml", str(plan_id), "-o", str(out))
    assert result.returncode == 3, result.stderr
    assert "[exchange.not_issued]" in result.stderr and "đã ban hành" in result.stderr
    assert not out.exists()
    bad = banhanh(db_url, tmp_path, "plan", "export-edxml", str(plan_id), "--priority", "gap")
    assert bad.returncode == 2 and "--priority" in bad.stderr
