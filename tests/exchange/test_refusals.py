"""Bad input is refused with a code and a Vietnamese message, and nothing is written."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from exchange.export import export_plan
from models.db import Database
from models.errors import BanHanhError, Invalid, WrongState
from models.lifecycle import State
from models.services import distribution
from models.services.directory import load_directory
from tests.exchange.issued import SEEDS, config_with_exchange, make_seal, settings_for, signed_plan
from tests.factory import build

HAMLIEM = SEEDS[1]
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def hamliem(
    db: Database,
    tmp_path: Path,
    units_without_id: tuple[str, ...] = (),
    by_exchange: tuple[str, ...] = (),
    **org: Any,
) -> None:
    config = config_with_exchange(HAMLIEM, make_seal(tmp_path, "Seal hamliem"), units_without_id, by_exchange)
    config["organisation"].update(org)
    load_directory(db, config)


def refused(error: BanHanhError, code: str) -> None:
    assert error.code == code
    assert error.message != error.reason and "{" not in error.message  # its own Vietnamese message


def test_a_plan_not_issued_is_refused(db: Database, db_url: str, tmp_path: Path) -> None:
    hamliem(db, tmp_path)
    plan_id = build(db, State.SIGNED)
    with pytest.raises(WrongState) as caught:
        export_plan(db, settings_for(tmp_path, db_url), plan_id, now=NOW)
    refused(caught.value, "exchange.not_issued")
    assert "đã ban hành" in caught.value.message


def test_a_unit_without_an_agency_id_is_named(db: Database, db_url: str, tmp_path: Path) -> None:
    hamliem(db, tmp_path, units_without_id=("tt-tinh-uy",))
    plan_id = build(db, State.ISSUED)
    cfg = settings_for(tmp_path, db_url)
    with pytest.raises(Invalid) as caught:
        export_plan(db, cfg, plan_id, now=NOW)
    refused(caught.value, "exchange.unit_no_agency_id")
    assert caught.value.params["unit"] == "tt-tinh-uy" and "mã định danh" in caught.value.message
    # the other units can still be sent to, named one by one
    exported = export_plan(db, cfg, plan_id, now=NOW, only=["tt-dang-uy"])
    assert [r.name for r in exported.package.receivers] == ["Thường trực Đảng ủy"]
    with pytest.raises(Invalid) as unknown:
        export_plan(db, cfg, plan_id, now=NOW, only=["mttq"])  # a unit the plan was not sent to
    refused(unknown.value, "exchange.unknown_unit")


def test_an_organisation_without_an_agency_id_is_refused(db: Database, db_url: str, tmp_path: Path) -> None:
    hamliem(db, tmp_path, agency_id="")
    plan_id = build(db, State.ISSUED)
    with pytest.raises(Invalid) as caught:
        export_plan(db, settings_for(tmp_path, db_url), plan_id, now=NOW)
    refused(caught.value, "exchange.org_no_agency_id")


def test_a_secret_plan_never_leaves_by_exchange(db: Database, db_url: str, tmp_path: Path) -> None:
    hamliem(db, tmp_path)
    plan_id = signed_plan(db, secrecy="mật")
    distribution.start_distribution(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    assert distribution.is_state(db, plan_id, State.ISSUED)
    with pytest.raises(WrongState) as caught:
        export_plan(db, settings_for(tmp_path, db_url), plan_id, now=NOW)
    refused(caught.value, "exchange.secret")


@pytest.mark.parametrize(
    ("unit", "field", "code"),
    [
        ({"agency_id": "H37.02.02"}, "units[1].agency_id", "exchange.bad_agency_id"),
        ({"channel": "edxml"}, "units[1].channel", "exchange.channel_needs_agency_id"),
        ({"channel": "fax"}, "units[1].channel", "field.bad_choice"),
    ],
)
def test_the_address_book_refuses_a_bad_identifier_or_channel(
    db: Database, unit: dict[str, str], field: str, code: str
) -> None:
    config = copy.deepcopy(config_with_exchange(HAMLIEM, Path("seal.p12")))
    first = config["units"][0]
    first.pop("agency_id", None)
    first.pop("channel", None)
    first.update(unit)
    with pytest.raises(Invalid) as caught:
        load_directory(db, config)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_the_address_book_keeps_identifiers_and_channels(db: Database, tmp_path: Path) -> None:
    from sqlmodel import select

    from models.directory import Organisation, Unit

    hamliem(db, tmp_path, units_without_id=("mttq",), by_exchange=("tt-tinh-uy",))
    with db.read() as session:
        org = session.exec(select(Organisation).where(Organisation.key == "hamliem")).one()
        units = {u.code: u for u in session.exec(select(Unit).where(Unit.org_id == org.id))}
    assert org.agency_id == HAMLIEM.agency_id
    assert (units["tt-tinh-uy"].agency_id, units["tt-tinh-uy"].channel) == ("001.00.21.H37", "edxml")
    assert (units["tt-dang-uy"].agency_id, units["tt-dang-uy"].channel) == ("002.00.21.H37", "email")
    assert (units["mttq"].agency_id, units["mttq"].channel) == (None, "email")
