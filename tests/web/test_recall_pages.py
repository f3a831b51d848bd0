"""The recall steps on the plan page: the signer asks with a reason, a second signer confirms; each
sees only the button the lifecycle table allows them, and a refusal changes nothing."""

from __future__ import annotations

from pathlib import Path

from models.db import Database
from models.lifecycle import State
from models.services.queries import deliveries, history, plan_status
from tests.factory import SECRETARIAT, SIGNER, SIGNER2, build, load_people
from tests.web.conftest import new_client, post_form, sign_in, web_settings


def test_a_signer_asks_and_another_confirms_from_the_plan_page(db: Database, tmp_path: Path) -> None:
    load_people(db)
    plan_id = build(db, State.ISSUED)
    page = f"/plans/{plan_id}"
    settings = web_settings(tmp_path, database_url="sqlite://")
    with new_client(db, settings) as signer, new_client(db, settings) as second:
        sign_in(signer, db, SIGNER)
        assert "Đề nghị thu hồi" in signer.get(page).text
        entries = len(history(db, plan_id))
        empty = post_form(signer, page, f"{page}/recall", {"reason": "  "})
        assert empty.status_code == 400 and "lý do thu hồi" in empty.text  # type: ignore[attr-defined]
        assert len(history(db, plan_id)) == entries and plan_status(db, plan_id)["state"] == State.ISSUED

        asked = post_form(signer, page, f"{page}/recall", {"reason": "Sai thời hạn ở mục II"})
        assert asked.status_code == 303  # type: ignore[attr-defined]
        mine = signer.get(page).text
        assert "Đang chờ xác nhận thu hồi" in mine and "Xác nhận thu hồi</button>" not in mine

        sign_in(second, db, SIGNER2)  # a signer of the organisation, not of this plan
        theirs = second.get(page).text
        assert "Xác nhận thu hồi</button>" in theirs and "Sai thời hạn ở mục II" in theirs
        done = post_form(second, page, f"{page}/confirm-recall", {})
        assert done.status_code == 303  # type: ignore[attr-defined]
    assert plan_status(db, plan_id)["state"] == State.RECALLED
    with new_client(db, settings) as office:
        sign_in(office, db, SECRETARIAT)
        shown = office.get(page).text
        assert "Đã thu hồi" in shown and "Sai thời hạn ở mục II" in shown
        listing = f"{page}/deliveries"
        assert "Nhắc xác nhận hủy" in office.get(listing).text
        reminded = post_form(office, listing, f"{page}/recall-remind", {})
        assert reminded.status_code == 303  # type: ignore[attr-defined]
        first = next(d for d in deliveries(db, plan_id) if d["recall_status"] == "notified")
        no_note = post_form(office, listing, f"{page}/recall-mark", {"to": first["email"], "note": ""})
        assert no_note.status_code == 400  # type: ignore[attr-defined]
        marked = post_form(
            office, listing, f"{page}/recall-mark", {"to": first["email"], "note": "Qua điện thoại"}
        )
        assert marked.status_code == 303  # type: ignore[attr-defined]
    after = {d["email"]: d for d in deliveries(db, plan_id)}
    assert after[first["email"]]["recall_status"] == "marked"
    assert [e["action"] for e in history(db, plan_id)].count("remind_recall") == 1
