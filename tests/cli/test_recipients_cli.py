"""`banhanh plan recipients`: the Nơi nhận list shown, replaced line by line, mapped again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.test_cli import SEED_004, banhanh  # noqa: F401 (the fixture)
from tests.factory import REPO, SECRETARIAT

pytestmark = pytest.mark.one_database  # the service's behaviour on both databases: tests/models


def test_the_list_is_shown_replaced_and_mapped_again(banhanh: Any) -> None:  # noqa: F811
    banhanh("directory", "load", str(REPO / "examples" / "hamliem.toml"))
    plan = str(
        json.loads(
            banhanh("plan", "import", str(SEED_004), "--org", "hamliem", "--as", SECRETARIAT, "--json").stdout
        )["plan"]
    )
    shown = json.loads(banhanh("plan", "recipients", plan, "--json").stdout)
    assert shown["recipients"][-1]["archive"] is True

    lines = ["- Ban Xây dựng Đảng (để thực hiện);", "- Như trên;", "- Lưu Văn phòng Đảng ủy."]
    args = [arg for line in lines for arg in ("--line", line)]
    edited = json.loads(banhanh("plan", "recipients", plan, *args, "--as", SECRETARIAT, "--json").stdout)
    assert edited["version_hash"] != shown["version_hash"]
    assert [(r["text"], r["annotation"], r["unit_code"]) for r in edited["recipients"]] == [
        ("Ban Xây dựng Đảng", "để thực hiện", "bxdd"),
        ("Như trên", "", None),
        ("Lưu Văn phòng Đảng ủy", "", None),
    ]
    # The same lines mapped again: the same content, the same version.
    again = json.loads(banhanh("plan", "recipients", plan, "--resolve", "--as", SECRETARIAT, "--json").stdout)
    assert again["version_hash"] == edited["version_hash"]

    no_actor = banhanh("plan", "recipients", plan, "--resolve", ok=False)
    assert no_actor.returncode == 2 and "--as" in no_actor.stderr
    both = banhanh("plan", "recipients", plan, "--resolve", "--line", "- X;", "--as", SECRETARIAT, ok=False)
    assert both.returncode == 2 and "--resolve" in both.stderr
    bad = banhanh(
        "plan", "recipients", plan, "--line", "- Lưu VP.", "--line", "- X;", "--as", SECRETARIAT, ok=False
    )
    assert bad.returncode == 2 and "recipients" in bad.stderr
    assert json.loads(banhanh("plan", "recipients", plan, "--json").stdout) == again
