"""The web import reads files through the same checks as the command: a file over a limit, a
.docx bomb or one declaring entities, text in another encoding is a 400 naming the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.db import Database
from models.services import queries
from models.settings import Settings
from tests.documents.seeds import SEED_004
from tests.documents.wordbuild import seed_docx
from tests.factory import SECRETARIAT
from tests.web.conftest import csrf_of, sign_in, web_settings


@pytest.fixture
def app_settings(tmp_path: Path, db_url: str) -> Settings:
    return web_settings(
        tmp_path, database_url=db_url, import_max_text_bytes=50_000, import_max_unzipped_bytes=2_000_000
    )


def _docx_with(name: str, data: bytes) -> bytes:
    source = seed_docx(
        SEED_004.read_text(encoding="utf-8"), header=("Đảng bộ", "Đảng ủy", "Số -KH/ĐU", "ngày")
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info.filename))
        if name not in src.namelist():
            dst.writestr(name, data)
    return out.getvalue()


TEXT = SEED_004.read_text(encoding="utf-8")
UPLOADS = [
    ("large.txt", TEXT.encode() + b"a" * 60_000, "lớn hơn"),
    ("cp1258.txt", "Sài Gòn".encode("latin-1") + TEXT.encode(), "không phải UTF-8"),
    ("bomb.docx", _docx_with("word/media/image1.png", b"\0" * 3_000_000), "Giải nén ra sẽ là"),
    (
        "entities.docx",
        _docx_with("word/document.xml", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "b">]><d/>'),
        "khai báo DTD hoặc thực thể",
    ),
]


@pytest.mark.parametrize(("name", "data", "says"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_a_bad_upload_is_a_clear_400(
    client: TestClient, people: Database, name: str, data: bytes, says: str
) -> None:
    sign_in(client, people, SECRETARIAT)
    page = client.get("/plans/new")
    refused = client.post(
        "/plans/new",
        data={"csrf": csrf_of(page.text)},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert refused.status_code == 400 and name in refused.text and says in refused.text, refused.text[-2000:]
    assert queries.list_plans(people) == []


def test_pasted_text_has_the_same_limit(client: TestClient, people: Database) -> None:
    sign_in(client, people, SECRETARIAT)
    page = client.get("/plans/new")
    refused = client.post("/plans/new", data={"csrf": csrf_of(page.text), "text": TEXT + "a" * 60_000})
    assert refused.status_code == 400 and "Văn bản dài quá" in refused.text
    assert queries.list_plans(people) == []
