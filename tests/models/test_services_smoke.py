from models.db import Database
from models.lifecycle import State
from models.services.queries import deliveries, history, plan_status
from tests.factory import build, load_people


def test_plan_reaches_every_state(db: Database) -> None:
    load_people(db)
    for state in State:
        plan_id = build(db, state)
        assert plan_status(db, plan_id)["state"] == state


def test_issued_plan_has_deliveries_resolved_through_the_address_book(db: Database) -> None:
    load_people(db)
    plan_id = build(db, State.ISSUED)
    rows = deliveries(db, plan_id)
    by_status: dict[str, list[str]] = {}
    for row in rows:
        by_status.setdefault(row["status"], []).append(row["unit"] or row["name"])
    # Đảng ủy UBND xã is listed and also a member of a listed group: one copy.
    assert sorted(by_status["sent"]) == ["cb-thon-1", "cb-thon-2", "du-ubnd", "tt-dang-uy"]
    assert sorted(by_status["not_emailed"]) == ["cb-thon-3", "tt-tinh-uy"]
    assert by_status["filed"] == ["Lưu Văn phòng Đảng ủy"]
    status = plan_status(db, plan_id)
    assert status["symbol"] == "Số 01-KH/ĐU"
    # Issued automatically: the engine's issuance step follows the signature.
    assert [h["action"] for h in history(db, plan_id)][-4:] == [
        "sign",
        "issue",
        "distribute",
        "complete_distribution",
    ]
