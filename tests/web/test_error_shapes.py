"""The shape of every error at each edge: every error class, raised through a real web route and
the real CLI, answers with the status and exit code mapped for it and a Vietnamese message; every
code has its messages, and every code the source raises is in the catalogue.

A new error class fails here until web/errors.py and cli/context.py map it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import context
from cli.app import app as cli_app
from models.db import Database
from models.error_messages import MESSAGES, VI_VALUES, english, vietnamese
from models.errors import BanHanhError, WrongState
from models.lifecycle import State
from models.services import listing, queries
from tests.factory import SECRETARIAT, build
from tests.web.conftest import csrf_of, sign_in
from web import auth
from web.errors import FIELD_NAMES, STATUS

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("models", "documents", "web", "cli", "flows", "notifications", "exchange")
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)
ENGLISH = {"cannot", "not", "the", "plan", "state", "is", "must", "no", "already", "please", "error"}
ALERT = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
CODE_LITERAL = re.compile(r'\bcode="([^"]+)"')


def error_classes() -> list[type[BanHanhError]]:
    found, todo = [], [BanHanhError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return sorted(found, key=lambda k: k.__name__)


CLASSES = error_classes()


def english_words(text: str) -> set[str]:
    """The common English words in a message (a command it quotes, `banhanh …`, aside)."""
    text = re.sub(r"banhanh [a-z -]+", "", text)
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)} & ENGLISH


def assert_vietnamese(text: str) -> None:
    assert VIETNAMESE.search(text), text
    assert not english_words(text), (english_words(text), text)


def errors_of(kind: type[BanHanhError]) -> list[BanHanhError]:
    """One error without a code (a site not converted yet: its class's message) and one with."""
    return [kind("plan", "an English reason that must not reach a web page"), kind("plan", code=kind.generic)]


@pytest.mark.parametrize("kind", CLASSES, ids=lambda k: k.__name__)
def test_every_error_class_is_mapped(kind: type[BanHanhError]) -> None:
    assert kind in STATUS, f"web/errors.py STATUS has no status for {kind.__name__}"
    assert kind in context.EXIT_CODES, f"cli/context.py EXIT_CODES has no exit code for {kind.__name__}"
    assert kind.generic in MESSAGES, f"{kind.__name__}.generic '{kind.generic}' is not in the catalogue"


@pytest.mark.parametrize("kind", CLASSES, ids=lambda k: k.__name__)
def test_the_web_answers_each_class_in_vietnamese(
    client: TestClient, people: Database, monkeypatch: pytest.MonkeyPatch, kind: type[BanHanhError]
) -> None:
    sign_in(client, people, SECRETARIAT)
    for error in errors_of(kind):
        monkeypatch.setattr(listing, "plans", _raising(error))
        page = client.get("/inbox")
        assert page.status_code == STATUS[kind], (kind, page.status_code)
        [alert] = ALERT.findall(page.text)
        assert_vietnamese(alert)
        assert FIELD_NAMES["plan"] in alert
        answer = client.get("/inbox", headers={"Accept": "application/json"})
        assert answer.status_code == STATUS[kind]
        body = answer.json()
        assert body["code"] == error.code and body["field"] == "plan"
        assert_vietnamese(body["message"])


@pytest.mark.parametrize("kind", CLASSES, ids=lambda k: k.__name__)
def test_the_cli_answers_each_class_with_its_exit_code(
    cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch, kind: type[BanHanhError]
) -> None:
    for error in errors_of(kind):
        monkeypatch.setattr(queries, "plan_status", _raising(error))
        result = cli_env.invoke(cli_app, ["plan", "show", "1"])
        assert result.exit_code == context.EXIT_CODES[kind], (kind, result.stderr)
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error plan: ") and error.reason in line
        monkeypatch.setenv("BANHANH_CLI_LANGUAGE", "vi")
        context.settings.cache_clear()
        in_vietnamese = cli_env.invoke(cli_app, ["plan", "show", "1"])
        assert in_vietnamese.exit_code == context.EXIT_CODES[kind]
        assert_vietnamese(in_vietnamese.stderr.removeprefix("error plan: "))
        monkeypatch.delenv("BANHANH_CLI_LANGUAGE")
        context.settings.cache_clear()


def test_a_coded_error_names_its_code_in_the_cli(cli_env: CliRunner) -> None:
    missing = cli_env.invoke(cli_app, ["plan", "show", "999"])
    assert missing.exit_code == 4
    assert missing.stderr.strip() == "error plan: no plan with id 999 [plan.not_found]"


def test_a_lifecycle_refusal_is_a_409_in_vietnamese_and_exit_3(
    client: TestClient, people: Database, cli_env: CliRunner
) -> None:
    in_review = build(people, State.IN_REVIEW)
    sign_in(client, people, SECRETARIAT)
    page = client.get(f"/plans/{in_review}")
    again = client.post(f"/plans/{in_review}/submit", data={"csrf": csrf_of(page.text)})
    assert again.status_code == STATUS[WrongState] == 409
    [alert] = ALERT.findall(again.text)
    assert_vietnamese(alert)
    assert "đang xem xét" in alert and "trình xem xét" in alert
    withdrawn = build(people, State.WITHDRAWN)
    args = ["plan", "withdraw", str(withdrawn), "--as", SECRETARIAT, "--reason", "again"]
    result = cli_env.invoke(cli_app, args)
    assert result.exit_code == context.EXIT_CODES[WrongState] == 3
    line = "error state: cannot withdraw a plan in state 'withdrawn' (only from: approved, "
    assert result.stderr.startswith(line) and result.stderr.endswith(" [plan.wrong_state]\n")


def test_every_code_has_an_english_and_a_vietnamese_message() -> None:
    for code, message in MESSAGES.items():
        assert message.en.strip() and message.en != message.vi, code
        assert_vietnamese(vietnamese(code, {}))
        params = set(re.findall(r"\{(\w+)\}", message.en)) | set(re.findall(r"\{(\w+)\}", message.vi))
        filled = {name: "x" for name in params}
        assert english(code, filled).count("…") == message.en.count("…"), code  # "…": a missing param
        assert vietnamese(code, filled).count("…") == message.vi.count("…"), code


def test_every_code_the_source_raises_is_in_the_catalogue() -> None:
    raised = {
        code
        for folder in SOURCES
        for path in (REPO / folder).rglob("*.py")
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    assert len(raised) > 100, "the search for code literals finds the raise sites"
    assert raised - set(MESSAGES) == set()
    assert set(auth.SPENT) <= set(MESSAGES)


def test_values_named_in_vietnamese_messages_are_translated() -> None:
    from models.lifecycle import Action, Role, State

    for names, values in (
        (VI_VALUES["state"], State),
        (VI_VALUES["action"], Action),
        (VI_VALUES["role"], Role),
    ):
        assert set(names) == {v.value for v in values}
    refusal = vietnamese(
        "plan.wrong_state", {"action": Action.SIGN, "state": State.DRAFT, "states": [State.APPROVED]}
    )
    assert_vietnamese(refusal)
    assert "ký ban hành" in refusal and "dự thảo" in refusal


def _raising(error: BanHanhError) -> Any:
    def raise_it(*args: object, **kwargs: object) -> Any:
        raise error

    return raise_it


@pytest.fixture
def cli_env(
    people: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """The CLI in this process, on the test's database (so a service can be made to fail)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BANHANH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BANHANH_CLI_LANGUAGE", raising=False)
    context.settings.cache_clear()
    context.database.cache_clear()
    yield CliRunner()
    context.database().engine.dispose()
    context.settings.cache_clear()
    context.database.cache_clear()
