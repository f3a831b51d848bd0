"""The images sit where NĐ 30 Phụ lục I puts them: the issued page is rendered to PNG (pdftoppm) and
the blue signature and the red seal are found among its pixels, then measured against the title and
name lines pdfplumber reads from the same page. The images are each signature's own appearance: the
personal signature still covers its image, and the issuance changed only fields."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from asn1crypto import x509
from PIL import Image

from documents.signatures.appearance import add_seal_field, in_placed_field, seal_visible, signature_visible
from documents.signatures.certificates import Kind
from documents.signatures.fields import add_text_fields, fill_text_fields
from documents.signatures.keys import FileKey, TokenKey
from documents.signatures.placement import MM
from documents.signatures.sign import FIELDS, sign_pdf
from documents.signatures.verify import verify_pdf
from tests.signatures.pki import LocalPki

IMAGES = Path(__file__).resolve().parents[2] / "examples" / "images"
SIGNATURE_PNG, SEAL_PNG = IMAGES / "chu-ky-pbt.png", IMAGES / "dau-hamliem.png"
DOCS = Path(__file__).resolve().parents[2] / "docs"
UPDATE_DOCS = "BANHANH_UPDATE_DOCS"  # set: the test writes docs/signed-page.png
TITLE, NAME = "PHÓ BÍ THƯ THƯỜNG TRỰC", "Phan Minh Quảng"  # seed 004's signature block
NUMBER_FIELDS = {"SoHieu": (60.0, 740.0, 260.0, 756.0), "NgayBanHanh": (300.0, 740.0, 540.0, 756.0)}
DPI = 100
PX = DPI / 72  # pixels per PDF point
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the top left


def issued_with_images(
    draft_pdf: bytes, token_key: TokenKey, pki: LocalPki, anchors: list[x509.Certificate]
) -> tuple[bytes, bytes]:
    """(the personally signed PDF, the issued one): the signer's image with the personal signature,
    the seal with the organisation's."""
    fielded = add_text_fields(draft_pdf, NUMBER_FIELDS)
    signature = signature_visible(fielded, SIGNATURE_PNG.read_bytes())
    seal = seal_visible(fielded, SEAL_PNG.read_bytes(), None, signature)
    placed = add_seal_field(fielded, FIELDS[Kind.organisation], seal)
    personal = sign_pdf(
        placed, token_key, kind=Kind.personal, tsa_url=pki.tsa_url, trust_anchors=anchors, visible=signature
    )
    filled = fill_text_fields(personal, {"SoHieu": "Số 38-KH/ĐU", "NgayBanHanh": "Hàm Liêm, ngày 07"})
    issued = sign_pdf(
        filled,
        FileKey(pki.pkcs12("org", "p"), "p"),
        kind=Kind.organisation,
        tsa_url=pki.tsa_url,
        trust_anchors=anchors,
        visible=in_placed_field(SEAL_PNG.read_bytes()),
    )
    return personal, issued


def render(pdf: bytes, page: int, out: Path) -> Image.Image:
    """One page at DPI, as pdftoppm (poppler) draws it: the fields' appearances included."""
    source = out.with_suffix(".pdf")
    source.write_bytes(pdf)
    pages = ("-f", str(page + 1), "-l", str(page + 1), "-singlefile")
    target = str(out.with_suffix(""))
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), *pages, str(source), target], check=True)
    return Image.open(out).convert("RGB")


def coloured(image: Image.Image, hue: str) -> Box:
    """The bounding box, in points, of the blue (signature) or red (seal) pixels."""

    def wanted(pixel: tuple[int, int, int], _: tuple[int, int, int]) -> bool:
        r, g, b = pixel
        if hue == "blue":
            return b > 120 and r < 110 and g < 120 and b - r > 60
        return r > 150 and g < 100 and b < 100

    return coloured_box(image, wanted)


def coloured_box(image: Image.Image, wanted: Any, before: Image.Image | None = None) -> Box:
    """The bounding box, in points, of the pixels `wanted(pixel, the pixel before)` picks."""
    pixels, old = image.load(), (before or image).load()
    assert pixels is not None and old is not None
    xs, ys = [], []
    for y in range(image.height):
        for x in range(image.width):
            if wanted(pixels[x, y], old[x, y]):
                xs.append(x)
                ys.append(y)
    assert xs, "no such pixels on the page"
    return min(xs) / PX, min(ys) / PX, (max(xs) + 1) / PX, (max(ys) + 1) / PX


def line_box(pdf: bytes, page: int, text: str) -> Box:
    """Where the words of `text` stand in the right-hand column (the signature block)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        sheet = doc.pages[page]
        words = [w for w in sheet.extract_words() if w["x0"] > sheet.width / 2 and w["text"] in text.split()]
    lines: dict[int, list[dict[str, float]]] = {}
    for word in words:
        lines.setdefault(round(word["top"]), []).append(word)
    [found] = [ws for ws in lines.values() if " ".join(str(w["text"]) for w in ws) == text]
    return (
        min(w["x0"] for w in found),
        min(w["top"] for w in found),
        max(w["x1"] for w in found),
        max(w["bottom"] for w in found),
    )


def test_the_signature_and_seal_images_sit_where_phu_luc_i_puts_them(
    pki: LocalPki,
    anchors: list[x509.Certificate],
    token_key: TokenKey,
    draft_pdf: bytes,
    tmp_path: Path,
) -> None:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils is missing: CI must render the signed page (.ci/run installs it)")
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    personal, issued = issued_with_images(draft_pdf, token_key, pki, anchors)
    page = signature_visible(draft_pdf, SIGNATURE_PNG.read_bytes()).page
    title, name = line_box(issued, page, TITLE), line_box(issued, page, NAME)

    # The signature, blue, between the title and the name, centred under the title.
    blue = coloured(render(personal, page, tmp_path / "personal.png"), "blue")
    assert title[3] < blue[1] and blue[3] < name[1], (title, blue, name)
    assert abs((blue[0] + blue[2]) / 2 - (title[0] + title[2]) / 2) < 8
    assert blue[2] - blue[0] > 100  # a signature, not a speck

    # The seal, red, at its actual size (36 mm), over the left third of the signature.
    issued_page = render(issued, page, tmp_path / "issued.png")
    if os.environ.get(UPDATE_DOCS):  # the page the README shows
        (DOCS / "signed-page.png").write_bytes((tmp_path / "issued.png").read_bytes())
    red = coloured(issued_page, "red")
    assert abs((red[2] - red[0]) - 36 * MM) < 3, red
    third = blue[0] + (blue[2] - blue[0]) / 3
    assert red[0] < blue[0] < red[2] and abs(red[2] - third) < 10, (red, blue)
    assert abs((red[1] + red[3]) / 2 - (blue[1] + blue[3]) / 2) < 8
    assert coloured(issued_page, "blue")[2] == pytest.approx(blue[2], abs=1)  # the signature still shows

    # Each image is part of its own signature: both valid, the issuance only filled fields and signed.
    first, second = verify_pdf(issued, anchors)
    assert first.ok and second.ok, (first.problems, second.problems)
    assert first.modification == "form_filling" and first.docmdp_ok
