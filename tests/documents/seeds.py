"""The two seed plans as the documents tests render: seed 000 as issued (its number and date),
seed 004 as a draft (blank number, "ngày … tháng … năm …"), each with its issuer's header.

`python -m tests.documents.seeds docs` writes page 1 of each seed's PDF as the PNGs in docs/.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from documents.plain_text import parse
from documents.render import DocumentView, render_pdf
from models.content import Draft

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEEDS = EXAMPLES / "seeds"
SEED_000 = SEEDS / "000_c7129e358e0d37a5.txt"
SEED_004 = SEEDS / "004_f456acc7e9262ea1.txt"
HASH = "a1b2c3d4e5f6"


def draft(path: Path) -> Draft:
    return parse(path.read_text(encoding="utf-8")).draft


def view_000() -> DocumentView:
    return DocumentView.from_draft(
        draft(SEED_000),
        version_hash=HASH,
        org_superior="Đảng bộ tỉnh Trà Vinh",
        org_name="Đảng ủy Khối các cơ quan và doanh nghiệp",
        symbol="Số 38-KH/ĐUK",
        org_code="ĐUK",
        date_line="Trà Vinh, ngày 08 tháng 11 năm 2021",
    )


def view_004() -> DocumentView:
    return DocumentView.from_draft(
        draft(SEED_004),
        version_hash=HASH,
        org_superior="Đảng bộ tỉnh Lâm Đồng",
        org_name="Đảng ủy xã Hàm Liêm",
        org_code="ĐU",
        place="Hàm Liêm",
    )


def view_state() -> DocumentView:
    """The commune People's Committee's plan (examples/ke-hoach-ubnd-hamliem.txt) as issued."""
    return DocumentView.from_draft(
        draft(EXAMPLES / "ke-hoach-ubnd-hamliem.txt"),
        version_hash=HASH,
        org_name="Ủy ban nhân dân xã Hàm Liêm",
        party=False,
        symbol="Số: 01/KH-UBND",
        org_code="UBND",
        date_line="Hàm Liêm, ngày 05 tháng 12 năm 2026",
    )


def write_page_pngs(folder: Path) -> list[Path]:
    """Page 1 of each seed and of the state plan, as docs/*-page1.png (pdftoppm, 70 dpi)."""
    written: list[Path] = []
    pages = (("seed-000", view_000()), ("seed-004", view_004()), ("state-plan", view_state()))
    with tempfile.TemporaryDirectory() as tmp:
        for name, view in pages:
            pdf = Path(tmp) / f"{name}.pdf"
            pdf.write_bytes(render_pdf(view))
            prefix = folder / f"{name}-page1"
            subprocess.run(
                ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                check=True,
            )
            written.append(prefix.with_suffix(".png"))
    return written


if __name__ == "__main__":
    for path in write_page_pngs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
