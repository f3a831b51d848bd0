"""The outgoing register as CSV, and the format check, from the command line (real processes)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from models.numbering import VN_TZ, System
from models.rulesets import Clause, ruleset_for
from tests.factory import R1, R2, REPO, SECRETARIAT, SIGNER

SEED_004 = REPO / "examples" / "seeds" / "004_f456acc7e9262ea1.txt"

# NĐ 30/2020 Phụ lục IV, sổ đăng ký văn bản đi: the ten columns, in order.
COLUMNS = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]


@pytest.fixture
def banhanh(db_url: str, tmp_path: Path) -> Any:
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env=env,
            text=True,
            capture_output=True,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == code, (result.stdout, result.stderr)
        return result

    return run


def _sign_seed_004(banhanh: Any) -> str:
    banhanh("directory", "load", str(REPO / "examples" / "hamliem.toml"))
    plan = str(
        json.loads(
            banhanh("plan", "import", str(SEED_004), "--org", "hamliem", "--as", SECRETARIAT, "--json").stdout
        )["plan"]
    )
    check = json.loads(banhanh("plan", "check", plan, "--json").stdout)
    assert (check["blocking"], check["problems"]) == (0, []) and "(Đảng)" in check["ruleset"]
    banhanh("plan", "assign", plan, "--reviewer", R1, "--reviewer", R2, "--as", SECRETARIAT)
    banhanh("plan", "submit", plan, "--as", SECRETARIAT)
    version = json.loads(banhanh("tasks", "--as", R1, "--json").stdout)[0]["version_hash"]
    for reviewer in (R1, R2):
        banhanh("review", "approve", plan, "--version", version, "--as", reviewer)
    assert "Số 01-KH/ĐU" in banhanh("plan", "sign", plan, "--version", version, "--as", SIGNER).stdout
    return plan


def test_register_csv_has_the_registers_columns_and_opens_in_excel(banhanh: Any, tmp_path: Path) -> None:
    plan = _sign_seed_004(banhanh)
    out = tmp_path / "so-van-ban-di.csv"
    assert "Wrote 1 register entries" in banhanh("register", "list", "--csv", str(out)).stdout

    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8, Vietnamese intact
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == COLUMNS
    assert len(rows) == 2
    signed_at = json.loads(banhanh("plan", "show", plan, "--json").stdout)["signed_at"]
    day = datetime.fromisoformat(signed_at).astimezone(VN_TZ).strftime("%d/%m/%Y")
    assert dict(zip(COLUMNS, rows[1], strict=True)) == {
        "Số, ký hiệu văn bản": "01-KH/ĐU",
        "Ngày tháng văn bản": day,
        "Tên loại và trích yếu nội dung": "Kế hoạch Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 "
        "của Tỉnh ủy về tăng cường sự lãnh đạo của Đảng đối với công tác dân tộc giai đoạn 2026 - 2030",
        "Người ký": "Phan Minh Quảng",
        "Nơi nhận văn bản": "Thường trực Tỉnh ủy (báo cáo); Thường trực Đảng ủy; Đảng ủy UBND xã; "
        "Các cơ quan tham mưu, giúp việc của Đảng ủy; "
        "Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội xã; "
        "Các tổ chức cơ sở Đảng trực thuộc Đảng ủy",
        "Đơn vị, người nhận bản lưu": "Văn phòng Đảng ủy",
        "Số lượng bản": "7",  # one per Nơi nhận line until the plan is distributed
        "Ngày chuyển": "",  # not distributed yet (no flow run in this test)
        "Ký nhận": "",
        "Ghi chú": "đang phát hành",
    }

    listed = json.loads(banhanh("register", "list", "--org", "hamliem", "--json").stdout)
    assert [(r["symbol"], r["plan"], r["date"]) for r in listed] == [("01-KH/ĐU", int(plan), day)]
    unknown = banhanh("register", "list", "--org", "nowhere", "--csv", str(tmp_path / "x.csv"), code=4)
    assert "no organisation with key 'nowhere'" in unknown.stderr and not (tmp_path / "x.csv").exists()


def test_plan_check_lists_every_problem_with_its_rule_and_exits_3_when_one_blocks(
    banhanh: Any, tmp_path: Path
) -> None:
    banhanh("directory", "load", str(REPO / "examples" / "hamliem.toml"))
    text = SEED_004.read_text(encoding="utf-8").replace("- Lưu Văn phòng Đảng ủy.Thư\n", "")
    text = text.replace("giải quyết.\n\nNơi nhận:", "giải quyết.\n\nDự thảo lần 2\n\nNơi nhận:")
    broken = tmp_path / "ke-hoach.txt"
    broken.write_text(text, encoding="utf-8")
    plan = str(
        json.loads(
            banhanh("plan", "import", str(broken), "--org", "hamliem", "--as", SECRETARIAT, "--json").stdout
        )["plan"]
    )

    report = json.loads(banhanh("plan", "check", plan, "--json", code=3).stdout)
    rules = ruleset_for(System.PARTY, datetime.now(VN_TZ).date())
    assert report["ruleset"] == rules.name and report["blocking"] == 1
    assert report["problems"] == [
        {
            "rule": rules.cite(Clause.BODY),
            "field": "body",
            "blocking": False,
            "message": "the body does not end with '.'",
        },
        {
            "rule": rules.cite(Clause.REVIEW),
            "field": "body",
            "blocking": False,
            "message": "a draft label is left in the text: 'Dự thảo lần 2'",
        },
        {
            "rule": rules.cite(Clause.ARCHIVE),
            "field": "recipients",
            "blocking": True,
            "message": "the archive line ('Lưu Văn phòng …') is missing from the Nơi nhận list",
        },
    ]
    printed = banhanh("plan", "check", plan, code=3).stdout
    assert "3 problem(s), 1 blocking" in printed
    assert "blocks [" in printed and "Nơi nhận: bản lưu] recipients:" in printed and "warns" in printed
    assert "no plan with id 99" in banhanh("plan", "check", "99", code=4).stderr
