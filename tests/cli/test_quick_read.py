"""The CLI's quick listing (sqlite3, no SQLAlchemy) answers exactly as the full query does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from models import quick_read
from models.db import Database
from models.lifecycle import State
from models.services import plans, queries, runs
from models.types import utcnow
from tests.factory import SECRETARIAT, build, load_people


def test_the_quick_plan_list_equals_the_full_query(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "banhanh.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    assert quick_read.list_plans(url) == []
    db = Database.from_url(url)
    load_people(db)
    for state in (State.DRAFT, State.ISSUED, State.CHANGES_REQUESTED, State.SIGNED, State.WITHDRAWN):
        build(db, state)
    edited = build(db, State.DRAFT)
    plans.edit_plan(db, edited, SECRETARIAT, title="Tiêu đề đã sửa")  # a newer current version
    expected = queries.list_plans(db)
    db.engine.dispose()

    assert quick_read.list_plans(url) == expected
    assert len(expected) == 6  # one row per plan: its earlier versions are not listed
    assert {row["state"] for row in expected} >= {"draft", "issued", "signed", "withdrawn"}
    assert any(row["symbol"] for row in expected) and any(
        row["title"] == "Tiêu đề đã sửa" for row in expected
    )


def test_the_quick_listing_leaves_other_databases_to_the_full_path(tmp_path: Path) -> None:
    assert quick_read.list_plans("postgresql+psycopg://postgres@127.0.0.1:5432/x") is None
    assert quick_read.list_plans("sqlite:///:memory:") is None
    assert quick_read.list_plans(f"sqlite:///{tmp_path / 'absent.db'}") is None
    assert not (tmp_path / "absent.db").exists()  # never created by a look
    empty = tmp_path / "empty.db"
    empty.touch()
    assert quick_read.list_plans(f"sqlite:///{empty}") is None  # not migrated: the full path migrates it


def test_a_listing_imports_neither_sqlalchemy_nor_prefect(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "banhanh.db")
    code = (
        "import sys; from cli.app import main\n"
        "sys.argv = ['banhanh', 'plan', 'list', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'prefect'})\n"
        "print('heavy', heavy, file=sys.stderr)\n"
        "sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"BANHANH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_quick_late_check_finds_every_plan_the_full_one_does(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """`plan list` skips the full late-run check only when no active plan is old enough to be late."""
    path = tmp_path / "banhanh.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database.from_url(url)
    load_people(db)
    build(db, State.ISSUED)  # final: never late
    assert quick_read.may_be_late(url, utcnow() + timedelta(hours=1)) is False
    build(db, State.SIGNED)  # render and distribute due: late once the time passes
    later = utcnow() + timedelta(hours=1)
    assert [p.state for p in runs.late_plans(db, timedelta(minutes=5), now=later)] == ["signed"]
    assert quick_read.may_be_late(url, later - timedelta(minutes=5)) is True
    assert quick_read.may_be_late(url, utcnow() - timedelta(hours=1)) is False
    db.engine.dispose()
