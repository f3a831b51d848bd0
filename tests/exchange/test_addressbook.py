"""The secretariat sets a unit's agency identifier and channel in the address book (service and page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from models.db import Database
from models.directory import Unit
from models.errors import Invalid
from models.services import addressbook
from tests.factory import SECRETARIAT, load_people
from tests.web.conftest import csrf_of, new_client, sign_in, web_settings


def unit(db: Database, code: str) -> Unit:
    with db.read() as session:
        return session.exec(select(Unit).where(Unit.code == code)).one()


def test_the_service_sets_keeps_and_refuses(db: Database) -> None:
    load_people(db)
    addressbook.save_unit(db, SECRETARIAT, "so-vh", "Sở Văn hóa", agency_id="000.00.21.H37", channel="edxml")
    assert (unit(db, "so-vh").agency_id, unit(db, "so-vh").channel) == ("000.00.21.H37", "edxml")
    addressbook.save_unit(db, SECRETARIAT, "so-vh", "Sở Văn hóa, Thể thao và Du lịch")  # not given: kept
    assert (unit(db, "so-vh").agency_id, unit(db, "so-vh").channel) == ("000.00.21.H37", "edxml")
    with pytest.raises(Invalid) as bad:
        addressbook.save_unit(db, SECRETARIAT, "so-vh", "Sở", agency_id="H37.02.02")
    assert (bad.value.field, bad.value.code) == ("agency_id", "exchange.bad_agency_id")
    with pytest.raises(Invalid) as alone:
        addressbook.save_unit(db, SECRETARIAT, "so-vh", "Sở", agency_id="", channel="edxml")
    assert alone.value.code == "exchange.channel_needs_agency_id"
    assert unit(db, "so-vh").agency_id == "000.00.21.H37"  # a refusal changed nothing


def test_the_address_book_page(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db)
    with new_client(db, web_settings(tmp_path, database_url=db_url)) as browser:
        sign_in(browser, db, SECRETARIAT)
        page = browser.get("/directory").text
        form = {"code": "so-vh", "name": "Sở Văn hóa", "agency_id": "000.00.21.H37", "channel": "edxml"}
        saved = browser.post("/directory/units", data={**form, "csrf": csrf_of(page)})
        assert saved.status_code == 303
        assert "mã định danh 000.00.21.H37 · gửi qua trục liên thông" in browser.get("/directory").text
        refused = browser.post("/directory/units", data={**form, "agency_id": "123", "csrf": csrf_of(page)})
        assert refused.status_code == 400 and "mã định danh" in refused.text
