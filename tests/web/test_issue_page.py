"""The văn thư issues a signed plan from the web: the emailed link leads to the issue page, the plan
page offers the button the lifecycle table offers them, and nobody else gets it."""

from __future__ import annotations

from pathlib import Path

from models.db import Database
from models.lifecycle import State
from models.services import signing
from models.services.queries import plan_status
from tests.factory import CLERK, SECRETARIAT, SIGNER, build, current_hash, load_people
from tests.web.conftest import csrf_of, last_link, new_client, sign_in, use_link, web_settings


def test_the_clerk_issues_from_the_plan_page(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db, automatic_issuance=False)
    plan_id = build(db, State.APPROVED)
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    settings = web_settings(tmp_path, database_url=db_url)
    button = f'action="/plans/{plan_id}/issue"'

    office = new_client(db, settings)
    sign_in(office, db, SECRETARIAT)
    page = office.get(f"/plans/{plan_id}")
    assert page.status_code == 200 and button not in page.text
    refused = office.post(f"/plans/{plan_id}/issue", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and plan_status(db, plan_id)["state"] == "awaiting_issuance"

    clerk = new_client(db, settings)
    sign_in(clerk, db, CLERK)
    # The email's one-time link leads to the issue page with its form.
    assert use_link(clerk, last_link(db, CLERK, "ready_to_issue")) == f"/plans/{plan_id}/issue"
    assert 'id="issue"' in clerk.get(f"/plans/{plan_id}/issue").text
    inbox = clerk.get("/inbox").text
    assert f"/plans/{plan_id}/issue" in inbox and "Cấp số, phát hành" in inbox
    page = clerk.get(f"/plans/{plan_id}")
    assert button in page.text
    done = clerk.post(f"/plans/{plan_id}/issue", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"] == f"/plans/{plan_id}"
    status = plan_status(db, plan_id)
    assert (status["state"], status["symbol"]) == ("signed", "Số 01-KH/ĐU")
    assert button not in clerk.get(f"/plans/{plan_id}").text
