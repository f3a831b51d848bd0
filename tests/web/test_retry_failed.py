"""The deliveries page's "Gửi lại các bản lỗi" button: secretariat only, CSRF, every failed copy at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from models.db import Database
from models.lifecycle import State
from models.services import distribution, outbox
from models.services.queries import deliveries, plan_status
from tests.factory import R1, SECRETARIAT, build
from tests.web.conftest import csrf_of, sign_in

BUTTON = "Gửi lại các bản lỗi"


def test_retry_failed_button_sends_every_failed_copy_again(client: TestClient, people: Database) -> None:
    plan_id = build(people, State.DISTRIBUTING)
    items = [i for i in outbox.claim_due(people, "email", 100, plan_id) if i.event == "distributed"]
    for n, item in enumerate(items):
        if n < 2:
            outbox.mark_failed(people, item.id or 0, "550 5.1.1 no such user")
        else:
            outbox.mark_sent(people, item.id or 0, "250 OK")
    assert distribution.finish_ready(people, [plan_id]) == [plan_id]
    failed = sorted(d["email"] for d in deliveries(people, plan_id) if d["status"] == "failed")

    reviewer = TestClient(client.app, follow_redirects=False)
    sign_in(reviewer, people, R1)
    assert reviewer.get(f"/plans/{plan_id}/deliveries").status_code == 403

    sign_in(client, people, SECRETARIAT)
    page = client.get(f"/plans/{plan_id}/deliveries")
    assert BUTTON in page.text and "2 bản gửi lỗi" in page.text
    forged = client.post(f"/plans/{plan_id}/retry-failed", data={"csrf": "0" * 64})
    assert forged.status_code == 403
    assert sorted(d["email"] for d in deliveries(people, plan_id) if d["status"] == "failed") == failed
    by_reviewer = reviewer.post(
        f"/plans/{plan_id}/retry-failed", data={"csrf": csrf_of(reviewer.get("/inbox").text)}
    )
    assert by_reviewer.status_code == 403

    done = client.post(f"/plans/{plan_id}/retry-failed", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"] == f"/plans/{plan_id}/deliveries"
    assert sorted(d["email"] for d in deliveries(people, plan_id) if d["status"] == "queued") == failed
    assert plan_status(people, plan_id)["state"] == "issued"
    assert BUTTON not in client.get(f"/plans/{plan_id}/deliveries").text  # nothing failed any more
