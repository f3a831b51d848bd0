"""The holes a hostile page or client could use: each test is the attack, and what stops it."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from cli.admin import write_register_csv
from flows.embedded import free_port
from models.db import Database
from models.lifecycle import State
from models.migrate import upgrade
from models.settings import Settings
from models.types import utcnow
from tests.factory import R1, R2, SECRETARIAT, build, current_hash
from tests.web.conftest import csrf_of, new_client, sign_in, web_settings
from web.guard import Window

REPO = Path(__file__).resolve().parents[2]
BASED_ON = re.compile(r'name="based_on" value="([0-9a-f]+)"')


def later(db: Database, hours: float) -> Database:
    return Database(db.engine, clock=lambda: utcnow() + timedelta(hours=hours))


def test_a_rebound_host_name_is_refused(people: Database, tmp_path: Path, db_url: str) -> None:
    """DNS rebinding: a hostile page's own name resolves to 127.0.0.1 and its script reads the
    app (and the caught mail's sign-in links) under that name."""
    settings = web_settings(tmp_path, database_url=db_url, allowed_hosts="")
    app = new_client(people, settings).app
    rebound = TestClient(app, base_url="http://attacker.example:8000", follow_redirects=False)
    assert rebound.get("/login").status_code == 400
    assert rebound.get("/mail").status_code == 400
    local = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    assert local.get("/login").status_code == 200
    proxied = web_settings(
        tmp_path, database_url=db_url, allowed_hosts="", public_url="https://bh.example.vn"
    )
    behind = TestClient(new_client(people, proxied).app, base_url="https://bh.example.vn")
    assert behind.get("/login").status_code == 200
    assert TestClient(new_client(people, proxied).app, base_url="http://other.vn").get("/").status_code == 400


def test_behind_a_public_url_the_mail_view_is_off(people: Database, tmp_path: Path, db_url: str) -> None:
    proxied = web_settings(tmp_path, database_url=db_url, public_url="https://bh.example.vn")
    app = new_client(people, proxied).app
    with TestClient(app, base_url="https://bh.example.vn", follow_redirects=False) as c:
        sign_in(c, people, SECRETARIAT)
        assert c.get("/mail").status_code == 404


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    declared = client.post("/login", headers={"content-length": str(400 * 1024 * 1024)}, content=b"x")
    assert declared.status_code == 413 and "quá lớn" in declared.text

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"email=" + b"a" * 100_000

    streamed = client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    assert client.post("/login", content=b"email=a", headers={"content-length": "abc"}).status_code == 413


def test_an_import_may_be_larger_than_a_form(people: Database, client: TestClient) -> None:
    sign_in(client, people, SECRETARIAT)
    token = csrf_of(client.get("/plans/new").text)
    body = ("I. MỤC ĐÍCH\n\n- " + "Nội dung dài. " * 200_000).encode("utf-8")  # about 3 MB
    answer = client.post(
        "/plans/new", data={"csrf": token}, files={"file": ("ke-hoach.txt", body, "text/plain")}
    )
    assert answer.status_code != 413, answer.text[:300]
    too_big = client.post("/plans/edit-nothing", content=b"x" * (3 * 1024 * 1024))
    assert too_big.status_code == 413


def test_sign_in_requests_are_throttled_per_client(client: TestClient, app_settings: Settings) -> None:
    token = csrf_of(client.get("/login").text)
    answers = [
        client.post("/login", data={"email": f"nobody{i}@example.vn", "csrf": token}).status_code
        for i in range(app_settings.throttle_per_minute + 2)
    ]
    assert answers[: app_settings.throttle_per_minute] == [200] * app_settings.throttle_per_minute
    refused = client.post("/login", data={"email": "x@example.vn", "csrf": token})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Xin đợi" in refused.text


def test_the_window_frees_up_as_time_passes() -> None:
    now = [1000.0]
    window = Window(2, 60.0, clock=lambda: now[0])
    assert window.wait("a") == 0 and window.wait("a") == 0
    assert window.wait("a") == pytest.approx(60.0)
    assert window.wait("b") == 0  # another client is not held back
    now[0] += 30
    assert window.wait("a") == pytest.approx(30.0)
    now[0] += 30.5
    assert window.wait("a") == 0


def test_known_and_unknown_addresses_get_the_same_answers(people: Database, app_settings: Settings) -> None:
    client = new_client(people, app_settings.model_copy(update={"throttle_per_minute": 100}))
    token = csrf_of(client.get("/login").text)

    def answers(email: str) -> list[tuple[int, str]]:
        out = []
        for _ in range(6):
            r = client.post("/login", data={"email": email, "csrf": token})
            out.append((r.status_code, r.text.replace(email, "ADDRESS")))
        return out

    known, unknown = answers(R1), answers("khong-co@hamliem.example.vn")
    assert known == unknown
    assert [status for status, _ in known] == [200] * 5 + [429]


def test_a_csrf_token_is_bound_to_its_session(people: Database, app_settings: Settings) -> None:
    """A token read in one session (or before sign-in) does not work in another."""
    with new_client(people, app_settings) as first, new_client(people, app_settings) as second:
        sign_in(first, people, R1)
        sign_in(second, people, R2)
        second.cookies.set("bh_csrf", first.cookies["bh_csrf"])  # the same browser seed...
        stolen = csrf_of(first.get("/inbox").text)
        refused = second.post("/logout", data={"csrf": stolen})  # ...but another session
        assert refused.status_code == 403
        assert second.get("/inbox").status_code == 200  # still signed in: nothing happened
        own = csrf_of(second.get("/inbox").text)
        assert second.post("/logout", data={"csrf": own}).status_code == 303


def test_a_busy_session_still_ends_after_its_lifetime(people: Database, app_settings: Settings) -> None:
    with new_client(people, app_settings) as c:
        sign_in(c, people, R1)
        cookies = dict(c.cookies)
    for hours, status in ((6, 200), (11.5, 200), (12.5, 303)):  # idle never more than 6 h
        with new_client(later(people, hours), app_settings) as c:
            c.cookies.update(cookies)
            assert c.get("/inbox").status_code == status, hours


def test_hsts_only_over_https(people: Database, tmp_path: Path, db_url: str) -> None:
    plain = new_client(people, web_settings(tmp_path, database_url=db_url))
    assert "strict-transport-security" not in plain.get("/login").headers
    https = web_settings(tmp_path, database_url=db_url, public_url="https://bh.example.vn")
    served = TestClient(new_client(people, https).app, base_url="https://bh.example.vn")
    assert "max-age=" in served.get("/login").headers["strict-transport-security"]


def test_register_cells_never_start_a_formula(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://x")'
    rows = [{"symbol": "01-KH/ĐU", "type_and_summary": formula, "signer": "+1", "notes": "@a"}]
    out = tmp_path / "so.csv"
    write_register_csv(out, rows)
    with out.open(encoding="utf-8-sig", newline="") as f:
        data = list(csv.reader(f))[1]
    assert data[0] == "01-KH/ĐU"
    assert data[2] == "'" + formula and data[3] == "'+1" and data[9] == "'@a"


@pytest.mark.slow
def test_the_production_command_serves_the_app(tmp_path: Path) -> None:
    """`uvicorn web.app:app`, as the README runs it behind nginx."""
    port = free_port()
    env = {**os.environ, "BANHANH_DATA_DIR": str(tmp_path), "BANHANH_SECRET_KEY": "k" * 32}
    env.pop("DATABASE_URL", None)
    upgrade(f"sqlite:///{tmp_path / 'banhanh.db'}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "web.app:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "uvicorn did not answer"
                time.sleep(0.3)
        assert page.status_code == 200 and "Đăng nhập" in page.text
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_stale_edit_is_refused_with_the_newer_version_shown(client: TestClient, people: Database) -> None:
    """Two tabs open the same draft; the second save must not silently overwrite the first."""
    plan_id = build(people, State.DRAFT)
    sign_in(client, people, SECRETARIAT)
    first_tab = client.get(f"/plans/{plan_id}/edit").text
    second_tab = client.get(f"/plans/{plan_id}/edit").text
    based_on = BASED_ON.search(first_tab)
    assert based_on and based_on.group(1) == BASED_ON.search(second_tab).group(1)  # type: ignore[union-attr]
    form = {"title": "Kế hoạch tuyên truyền", "based_on": based_on.group(1)}
    saved = client.post(
        f"/plans/{plan_id}/edit",
        data={**form, "body": "I. MỤC ĐÍCH\n\n- Bản của tab một.", "csrf": csrf_of(first_tab)},
    )
    assert saved.status_code == 303
    after_first = current_hash(people, plan_id)
    stale = client.post(
        f"/plans/{plan_id}/edit",
        data={**form, "body": "I. MỤC ĐÍCH\n\n- Bản của tab hai.", "csrf": csrf_of(second_tab)},
    )
    assert stale.status_code == 409
    assert "Bản của tab một." in stale.text and "Bản của tab hai." in stale.text  # newer version, and mine
    assert after_first[:12] in stale.text
    assert current_hash(people, plan_id) == after_first  # nothing changed
