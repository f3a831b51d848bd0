"""The banhanh command as people use it: a real process, a real database, JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.factory import R1, R2, REPO, SECRETARIAT, SIGNER

SEED_004 = REPO / "examples" / "seeds" / "004_f456acc7e9262ea1.txt"


@pytest.fixture
def banhanh(db_url: str, tmp_path: Path) -> Any:
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env=env,
            text=True,
            capture_output=True,
            cwd=tmp_path,
            check=False,
        )
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    return run


def test_the_cli_never_imports_prefect() -> None:
    code = (
        "import sys, cli.app, cli.plans, cli.reviews, cli.admin; "
        "sys.exit(any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_secretariat_and_reviewers_work_from_the_command_line(banhanh: Any, tmp_path: Path) -> None:
    banhanh("directory", "load", str(REPO / "examples" / "hamliem.toml"))
    imported = json.loads(
        banhanh("plan", "import", str(SEED_004), "--org", "hamliem", "--as", SECRETARIAT, "--json").stdout
    )
    plan = str(imported["plan"])
    assert any("Thư" in note for note in imported["notes"]), imported["notes"]
    # Each note also with its code and Vietnamese message; `notes` keeps the English text.
    assert [n["text"] for n in imported["note_codes"]] == imported["notes"]
    glued = next(n for n in imported["note_codes"] if n["code"] == "import.glued_tail_dropped")
    assert glued["params"] == {"text": "Thư"} and glued["message"].startswith("Dòng 121: Đã bỏ chữ “Thư”")

    unknown = banhanh(
        "plan", "assign", plan, "--reviewer", "nobody@hamliem.example.vn", "--as", SECRETARIAT, ok=False
    )
    assert (
        unknown.returncode == 2 and "reviewers[1]" in unknown.stderr and "unknown reviewer" in unknown.stderr
    )

    banhanh("plan", "assign", plan, "--reviewer", R1, "--reviewer", R2, "--as", SECRETARIAT)
    banhanh("plan", "submit", plan, "--as", SECRETARIAT)
    tasks = json.loads(banhanh("tasks", "--as", R1, "--json").stdout)
    assert [(t["plan"], t["step"]) for t in tasks] == [(int(plan), "review")]
    version = tasks[0]["version_hash"]

    stale = banhanh("review", "approve", plan, "--version", "00000000", "--as", R1, ok=False)
    assert stale.returncode == 3 and "version" in stale.stderr
    not_mine = banhanh("review", "approve", plan, "--version", version, "--as", SIGNER, ok=False)
    assert not_mine.returncode == 3

    banhanh("review", "approve", plan, "--version", version, "--as", R1)
    again = banhanh("review", "approve", plan, "--version", version, "--as", R1, ok=False)
    assert again.returncode == 3 and "already decided" in again.stderr
    banhanh("review", "approve", plan, "--version", version, "--as", R2)

    sign_tasks = json.loads(banhanh("tasks", "--as", SIGNER, "--json").stdout)
    assert sign_tasks[0]["step"] == "sign"
    banhanh("plan", "sign", plan, "--version", version, "--as", SIGNER)
    status = json.loads(banhanh("plan", "show", plan, "--json").stdout)
    assert status["state"] == "signed" and status["symbol"] == "Số 01-KH/ĐU"

    history = json.loads(banhanh("plan", "history", plan, "--json").stdout)
    assert [h["action"] for h in history] == [
        "create",
        "edit",
        "submit",
        "approve",
        "approve",
        "complete_review",
        "sign",
        "issue",  # the organisation issues automatically, in the signing transaction
    ]
    assert json.loads(banhanh("register", "list", "--json").stdout)[0]["symbol"] == "Số 01-KH/ĐU"
    assert json.loads(banhanh("mail", "list", "--json").stdout) == []  # nothing sent without the dispatcher
    outbox = json.loads(banhanh("outbox", "list", "--plan", plan, "--json").stdout)
    assert {o["event"] for o in outbox if o["kind"] == "email"} == {
        "review_requested",
        "approved",
        "ready_to_sign",
        "signed",
    }
    assert "chain intact" in banhanh("audit", "verify").stdout
    wrote = banhanh("plan", "document", plan, "--format", "docx", "--out", "ke-hoach.docx")
    assert "rendered now" in wrote.stdout and (tmp_path / "ke-hoach.docx").read_bytes().startswith(b"PK")
    wrong = banhanh("plan", "document", plan, "--format", "odt", "--out", "x.odt", ok=False)
    assert wrong.returncode == 2 and "format" in wrong.stderr


def test_bad_input_is_one_clear_line(banhanh: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[organisation]\nkey = "x"\n', encoding="utf-8")
    result = banhanh("directory", "load", str(broken), ok=False)
    assert result.returncode == 2 and "organisation.system" in result.stderr
    assert "Traceback" not in result.stderr
    missing = banhanh("plan", "show", "999", ok=False)
    assert missing.returncode == 4 and "no plan with id 999" in missing.stderr
