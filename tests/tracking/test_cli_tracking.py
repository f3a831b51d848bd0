"""`banhanh tracking draft`: a document file's assignments, and a stored plan's resolved through
its organisation's address book. A real process, a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.factory import REPO, SECRETARIAT

SEED_000 = REPO / "examples" / "seeds" / "000_c7129e358e0d37a5.txt"
SEED_004 = REPO / "examples" / "seeds" / "004_f456acc7e9262ea1.txt"


def _run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], env=env, text=True, capture_output=True, cwd=cwd, check=False
    )


def test_a_files_assignments_print_and_as_json(tmp_path: Path) -> None:
    env = {**os.environ, "BANHANH_DATA_DIR": str(tmp_path)}
    shown = _run(env, tmp_path, "tracking", "draft", str(SEED_000))
    assert shown.returncode == 0, shown.stderr
    assert "lead        Ban Tuyên giáo Đảng ủy Khối" in shown.stdout
    assert "deadline    milestone: sơ kết, tổng kết" in shown.stdout
    rows = json.loads(_run(env, tmp_path, "tracking", "draft", str(SEED_000), "--json").stdout)
    assert [(r["lead"], r["deadline"], r["line"]) for r in rows] == [
        ("Cấp ủy các chi bộ, đảng bộ cơ sở", "none", 47),
        ("Các Ban tham mưu giúp việc Đảng ủy Khối", "none", 49),
        ("Ban Tuyên giáo Đảng ủy Khối", "milestone", 49),
    ]
    neither = _run(env, tmp_path, "tracking", "draft")
    assert neither.returncode == 2 and "FILE or --plan" in neither.stderr


def test_a_stored_plans_assignments_resolve_through_its_address_book(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}
    assert _run(env, tmp_path, "directory", "load", str(REPO / "examples" / "hamliem.toml")).returncode == 0
    imported = _run(
        env, tmp_path, "plan", "import", str(SEED_004), "--org", "hamliem", "--as", SECRETARIAT, "--json"
    )
    plan = str(json.loads(imported.stdout)["plan"])
    rows: list[dict[str, Any]] = json.loads(
        _run(env, tmp_path, "tracking", "draft", "--plan", plan, "--json").stdout
    )
    assert [r["lead_unit"] for r in rows] == [
        {"name": "Ủy ban nhân dân xã", "unit_code": None},
        {"name": "Ban Xây dựng Đảng", "unit_code": "bxdd"},
        {"name": "Ủy ban Mặt trận Tổ quốc", "unit_code": "mttq"},
    ]
    assert rows[0]["to_confirm"] == ["Ủy ban nhân dân xã"]
    shown = _run(env, tmp_path, "tracking", "draft", "--plan", plan).stdout
    assert "lead        Ủy ban nhân dân xã (to confirm)" in shown
    missing = _run(env, tmp_path, "tracking", "draft", "--plan", "999")
    assert missing.returncode == 4, missing.stderr


@pytest.mark.parametrize("name", ["x.pdf"])
def test_a_file_that_is_not_text_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"%PDF-1.7\x00\x01")
    refused = _run(
        {**os.environ, "BANHANH_DATA_DIR": str(tmp_path)}, tmp_path, "tracking", "draft", str(tmp_path / name)
    )
    assert refused.returncode == 2 and "binary" in refused.stderr


def test_a_word_file_drafts_what_its_text_does(tmp_path: Path) -> None:
    from tests.documents.wordbuild import seed_docx

    header = (
        "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
        "ĐẢNG ỦY XÃ HÀM LIÊM",
        "Số      -KH/ĐU",
        "Hàm Liêm, ngày … tháng … năm 2026",
    )
    docx = tmp_path / "ke-hoach.docx"
    docx.write_bytes(seed_docx(SEED_004.read_text(encoding="utf-8"), header=header))
    env = {**os.environ, "BANHANH_DATA_DIR": str(tmp_path)}
    rows = json.loads(_run(env, tmp_path, "tracking", "draft", str(docx), "--json").stdout)
    assert [(r["lead"], r["supporting"], r["follower"], r["deadline"]) for r in rows] == [
        ("Ủy ban nhân dân xã", [], "Ban Xây dựng Đảng", "cadence"),
        (
            "Ban Xây dựng Đảng",
            ["các cơ quan tham mưu giúp việc", "các đơn vị liên quan"],
            "Ban Xây dựng Đảng",
            "cadence",
        ),
        ("Ủy ban Mặt trận Tổ quốc", [], "Ban Xây dựng Đảng", "none"),
    ]


def test_a_files_units_resolve_through_an_organisation_toml(tmp_path: Path) -> None:
    env = {**os.environ, "BANHANH_DATA_DIR": str(tmp_path)}
    toml = REPO / "examples" / "hamliem.toml"
    rows = json.loads(
        _run(env, tmp_path, "tracking", "draft", str(SEED_004), "--org-config", str(toml), "--json").stdout
    )
    assert [r["lead_unit"]["unit_code"] for r in rows] == [None, "bxdd", "mttq"]
    assert rows[1]["supporting_units"][0] == {
        "name": "các cơ quan tham mưu giúp việc",
        "unit_code": "cq-tham-muu",
    }
    bad = tmp_path / "bad.toml"
    bad.write_text('[[units]]\ncode = "x"\nname = "Sở X"\nemial = "x@example.vn"\n', encoding="utf-8")
    refused = _run(env, tmp_path, "tracking", "draft", str(SEED_004), "--org-config", str(bad))
    assert refused.returncode == 2 and "did you mean 'email'" in refused.stderr, refused.stderr
