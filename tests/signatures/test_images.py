"""Signature and seal images uploaded from the command line: a PNG with transparency of sane size is
stored and bound in the audit chain; anything else is refused with a code naming the field and the
reason, and nothing changes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import update
from sqlmodel import func, select

from documents.signatures.images import ImageKind, read_png
from models.db import Database
from models.directory import Organisation, SignatureImage
from models.errors import Invalid
from models.records import AuditEntry
from models.services import audit
from tests.factory import SIGNER, load_people

IMAGES = Path(__file__).resolve().parents[2] / "examples" / "images"
SIGNATURE_PNG, SEAL_PNG = IMAGES / "chu-ky-pbt.png", IMAGES / "dau-hamliem.png"


def png(size: tuple[int, int], mode: str = "RGBA", dpi: int | None = None) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 0, 0, 0) if mode == "RGBA" else (200, 0, 0)).save(
        out, "PNG", **({"dpi": (dpi, dpi)} if dpi else {})
    )
    return out.getvalue()


def counts(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return (
            s.exec(select(func.count()).select_from(SignatureImage)).one(),
            s.exec(select(func.count()).select_from(AuditEntry)).one(),
        )


@pytest.fixture
def banhanh(db_url: str, tmp_path: Path) -> Any:
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cli", "directory", *args]
        return subprocess.run(command, env=env, text=True, capture_output=True, check=False)

    return run


def test_images_are_set_listed_bound_and_bad_ones_refused_changing_nothing(
    db: Database, banhanh: Any, tmp_path: Path
) -> None:
    run = banhanh
    load_people(db)
    with db.read() as s:
        org = s.exec(select(Organisation).where(Organisation.key == "hamliem")).one().id or 0
    added = run("signature-image", "add", SIGNER, str(SIGNATURE_PNG))
    assert added.returncode == 0 and "600×240 px" in added.stdout, added.stderr
    sealed = run("seal-image", "set", str(SEAL_PNG), "--org", "hamliem")
    assert sealed.returncode == 0 and "36.0 mm across" in sealed.stdout, sealed.stderr
    listed = json.loads(run("signature-image", "list", "--json").stdout)
    assert [(r["kind"], r["email"]) for r in listed] == [("signature", SIGNER), ("seal", "")]
    assert audit.verify(db, org).broken_at is None
    before = counts(db)

    bad = {
        "not.png": (b"GIF89a" + bytes(100), "signature", "image.not_png"),
        "opaque.png": (png((300, 100), "RGB"), "signature", "image.no_transparency"),
        "tiny.png": (png((10, 10)), "signature", "image.bad_dimensions"),
        "huge.png": (png((200, 200)) + bytes(1_000_001), "signature", "image.too_big"),
    }
    for name, (data, field, code) in bad.items():
        path = tmp_path / name
        path.write_bytes(data)
        refused = run("signature-image", "add", SIGNER, str(path))
        assert refused.returncode != 0 and f"[{code}]" in refused.stderr and field in refused.stderr, name
    no_size = tmp_path / "no-size.png"
    no_size.write_bytes(png((400, 400)))
    refused = run("seal-image", "set", str(no_size), "--org", "hamliem")
    assert "[image.no_physical_size]" in refused.stderr and "seal" in refused.stderr
    refused = run("seal-image", "set", str(no_size), "--org", "hamliem", "--width-mm", "120")
    assert "[image.seal_size]" in refused.stderr
    assert counts(db) == before

    # A stored image changed outside the engine is named by the chain's check.
    with db.write() as s:
        s.execute(update(SignatureImage).where(SignatureImage.kind == "seal").values(png=png((50, 50))))
    report = audit.verify(db, org)
    assert "signature image" in report.reason and "its bytes do not match their sha256" in report.reason


def test_the_seal_size_comes_from_the_png_resolution_or_as_given() -> None:
    assert read_png(png((425, 425), dpi=300), ImageKind.seal).width_mm == 36.0
    assert read_png(png((425, 425)), ImageKind.seal, 40.0).width_mm == 40.0
    with pytest.raises(Invalid) as refused:
        read_png(png((425, 425), dpi=72), ImageKind.seal)  # 150 mm: no seal is that large
    assert (refused.value.field, refused.value.code) == ("seal", "image.seal_size")
