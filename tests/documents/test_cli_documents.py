"""`banhanh document parse|render`, run as a separate process exactly as a person types it
(the sub-app itself, until it is registered in cli/app.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from docx import Document

from cli.documents import org_header, read_document
from models.errors import Invalid
from tests.documents.seeds import SEED_000, SEED_004
from tests.documents.wordbuild import seed_docx

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from cli.documents import app; app()"]
HAMLIEM = ROOT / "examples" / "hamliem.toml"


def _run(*args: str | Path, data_dir: Path, **more: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "BANHANH_DATA_DIR": str(data_dir), "COLUMNS": "200", **more}
    return subprocess.run([*CLI, *map(str, args)], cwd=ROOT, env=env, capture_output=True, timeout=120)


def test_parse_json_of_a_text_plan_and_of_its_word_twin(tmp_path: Path) -> None:
    text = _run("parse", SEED_004, "--json", data_dir=tmp_path)
    assert text.returncode == 0, text.stderr.decode()
    out = json.loads(text.stdout)
    assert list(out) == [
        "doc_type",
        "header",
        "title",
        "summary_lines",
        "body",
        "footnotes",
        "recipients",
        "signature",
        "notes",
        "note_codes",
    ]
    assert out["doc_type"] == "KH" and out["header"]["type_name"] == "KẾ HOẠCH"
    assert out["title"].startswith("Thực hiện Nghị quyết số 12-NQ/TU") and len(out["summary_lines"]) == 1
    assert len(out["body"]) == 53 and out["body"][1] == "I. MỤC ĐÍCH, YÊU CẦU"
    assert out["footnotes"][1] == "Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT."
    assert out["recipients"][0] == {"text": "Thường trực Tỉnh ủy", "annotation": "báo cáo"}
    assert out["recipients"][-1] == {"text": "Lưu Văn phòng Đảng ủy", "annotation": ""}
    assert out["signature"] == {
        "lines": ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC"],
        "form": "T/M",
        "collective": "BAN THƯỜNG VỤ",
        "title": "PHÓ BÍ THƯ THƯỜNG TRỰC",
        "name": "Phan Minh Quảng",
    }
    assert out["notes"][-1] == "line 121: text 'Thư' glued after the final '.' dropped: extraction noise"
    assert out["note_codes"][-1] == {
        "code": "import.glued_tail_dropped",
        "where": "line 121",
        "params": {"text": "Thư"},
        "text": out["notes"][-1],
        "message": "Dòng 121: Đã bỏ chữ “Thư” dính sau dấu chấm cuối: phần thừa khi sao chép văn bản.",
    }

    docx = tmp_path / "ke-hoach.docx"
    docx.write_bytes(
        seed_docx(SEED_004.read_text(encoding="utf-8"), header=("Đảng bộ", "Đảng ủy", "Số -KH/ĐU", "ngày"))
    )
    word = _run("parse", docx, "--json", data_dir=tmp_path)
    assert word.returncode == 0, word.stderr.decode()
    from_word = json.loads(word.stdout)
    assert {k: v for k, v in from_word.items() if k not in {"notes", "note_codes", "header"}} == {
        k: v for k, v in out.items() if k not in {"notes", "note_codes", "header"}
    }
    # The Word twin has the header table the text lacks (its number left blank): the same keys.
    assert set(from_word["header"]) == set(out["header"]) and from_word["header"]["number"] is None
    assert any(note.startswith("paragraph ") for note in from_word["notes"])
    assert any(note["message"].startswith("Đoạn ") for note in from_word["note_codes"])


def test_render_pdf_with_the_org_header(tmp_path: Path) -> None:
    pdf = tmp_path / "004.pdf"
    done = _run(
        "render", SEED_004, "--format", "pdf", "--org-config", HAMLIEM, "--out", pdf, data_dir=tmp_path
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"note line 121: text 'Th" in done.stderr and f"wrote {pdf}".encode() in done.stderr
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "ĐẢNG BỘ TỈNH LÂM ĐỒNG" in text and "ĐẢNG ỦY XÃ HÀM LIÊM" in text
    assert "-KH/ĐU" in text and "Hàm Liêm, ngày … tháng … năm …" in text


def test_render_docx_and_text_and_html_to_stdout(tmp_path: Path) -> None:
    docx = _run("render", SEED_000, "--format", "docx", data_dir=tmp_path)
    assert docx.returncode == 0, docx.stderr.decode()
    document = Document(io.BytesIO(docx.stdout))
    assert any(p.text == "KẾ HOẠCH" for p in document.paragraphs)
    assert document.tables[1].rows[0].cells[1].paragraphs[-1].text == "Phạm Phước Trãi"
    text = _run("render", SEED_000, "--format", "text", data_dir=tmp_path)
    assert text.returncode == 0
    lines = text.stdout.decode().splitlines()
    assert lines[:3] == ["*", "Số " + " " * 6 + "-KH/", "ĐẢNG CỘNG SẢN VIỆT NAM"]  # no --org-config
    assert lines[-1] == "Phạm Phước Trãi"


def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text("KẾ HOẠCH", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    (tmp_path / "bad.toml").write_text("[organisation]\nname = 'X'\nsystem = 'church'\n", encoding="utf-8")
    cases = [
        (("parse", tmp_path / "plan.md"), "unknown file type '.md': give a .txt or .docx file"),
        (("parse", tmp_path / "broken.docx"), "broken.docx: not a Word .docx file"),
        (
            ("render", SEED_000, "--format", "html", "--org-config", tmp_path / "bad.toml"),
            "--org-config: organisation.system 'church' is not one of party, state",
        ),
    ]
    for args, message in cases:
        done = _run(*args, data_dir=tmp_path)
        assert done.returncode == 2, (args, done.stderr.decode())
        assert message in done.stderr.decode(), (args, done.stderr.decode())
        assert done.stdout == b""


def test_file_and_config_errors_name_what_is_wrong(tmp_path: Path) -> None:
    """The same checks in-process (no subprocess start-up for each case)."""
    (tmp_path / "latin1.txt").write_bytes("Sài Gòn".encode("latin-1"))
    (tmp_path / "no-org.toml").write_text("[[people]]\nemail = 'a@b'\n", encoding="utf-8")
    (tmp_path / "no-name.toml").write_text("[organisation]\nsystem = 'party'\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    checks: list[tuple[Callable[[], object], str, str]] = [
        (lambda: read_document(tmp_path / "missing.txt"), "missing.txt", "no such file"),
        (
            lambda: read_document(tmp_path / "latin1.txt"),
            "latin1.txt",
            "save the file as UTF-8 (Unicode) text",
        ),
        (lambda: read_document(tmp_path / "empty.txt"), "empty.txt", "line 1: the text is empty"),
        (
            lambda: org_header(tmp_path / "no-org.toml"),
            "--org-config",
            "no-org.toml has no [organisation] table",
        ),
        (lambda: org_header(tmp_path / "no-name.toml"), "--org-config", "organisation.name is missing"),
    ]
    for call, field, reason in checks:
        with pytest.raises(Invalid) as caught:
            call()
        assert caught.value.field.endswith(field) and caught.value.reason.endswith(reason), caught.value
    assert org_header(HAMLIEM) == {
        "org_name": "ĐẢNG ỦY XÃ HÀM LIÊM",
        "org_superior": "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
        "org_code": "ĐU",
        "place": "Hàm Liêm",
        "party": True,
    }


def test_parse_prints_the_notes_in_vietnamese_when_asked(tmp_path: Path) -> None:
    english = _run("parse", SEED_004, data_dir=tmp_path).stdout.decode()
    assert "note line 121: text 'Thư' glued after the final '.' dropped: extraction noise" in english
    vietnamese = _run("parse", SEED_004, data_dir=tmp_path, BANHANH_CLI_LANGUAGE="vi").stdout.decode()
    assert (
        "note Dòng 121: Đã bỏ chữ “Thư” dính sau dấu chấm cuối" in vietnamese and "dropped" not in vietnamese
    )
