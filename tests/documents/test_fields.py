"""`read_fields` on the two seed plans and on the shapes real copied text takes: flattened header
columns, blank numbers and dates, years in numbers, multi-line authorities, Nơi nhận before or
after the signature or on the same lines, công văn with "V/v" and "Kính gửi"."""

from __future__ import annotations

import json
from pathlib import Path

from documents.doc_types import CONG_VAN, TYPES, by_code, type_in_symbol
from documents.fields import Fields, read_fields
from tests.documents.seeds import SEED_000, SEED_004

CORPUS_README = Path(__file__).parent / "corpus" / "README.md"

PARTY_FLAT = """\
ĐẢNG BỘ TỈNH LÂM ĐỒNG     ĐẢNG CỘNG SẢN VIỆT NAM
ĐẢNG ỦY XÃ HÀM LIÊM
*
Số 12-KH/ĐU     Hàm Liêm, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
thực hiện Nghị quyết số 12-NQ/TU của Tỉnh ủy
về công tác dân tộc
-----
I. MỤC ĐÍCH, YÊU CẦU
Nội dung kế hoạch.

Nơi nhận:
- Ban Thường vụ Tỉnh ủy (báo cáo),
- Các chi bộ trực thuộc,
- Lưu Văn phòng.

T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ

Nguyễn Văn An
"""

STATE_FLAT = """\
ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
-------                Độc lập - Tự do - Hạnh phúc
Số: 12/2024/QĐ-UBND Đà Lạt, ngày 15 tháng 02 năm 2024

QUYẾT ĐỊNH
Về việc thành lập Tổ công tác
ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG
Căn cứ Luật Tổ chức chính quyền địa phương;
Điều 1. Thành lập Tổ công tác.
Nơi nhận: TM. ỦY BAN NHÂN DÂN
- Như Điều 3; KT. CHỦ TỊCH
- Bộ Nội vụ; PHÓ CHỦ TỊCH
- Lưu: VT, NC.
(Đã ký)
Trần Thị Bình
Trang 2/2
"""


def _read(text: str) -> Fields:
    return read_fields(text)


# -- the seeds ------------------------------------------------------------------------------


def test_seed_000_reads_number_place_date_title_signature_and_recipients() -> None:
    fields = read_fields(SEED_000.read_text(encoding="utf-8"))
    header = fields.header
    assert (header.number, header.symbol, header.number_text) == (38, "KH/ĐUK", "Số 38 -KH/ĐUK")
    assert (header.place, header.date) == ("Trà Vinh", "2021-11-08")
    assert (header.type_code, header.type_name) == ("KH", "KẾ HOẠCH")
    assert header.issuer is None  # the seed's text starts at the date: no issuer is printed
    assert fields.title is not None
    assert fields.title.startswith(
        "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy về tiếp tục"
    )
    assert fields.title.endswith("giai đoạn 2021 - 2025, định hướng đến năm 2030")
    assert fields.signature is not None
    assert fields.signature.lines == ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")
    assert (fields.signature.name, fields.signature.form) == ("Phạm Phước Trãi", "T/M")
    assert fields.recipients[2] == "Đ/c Nguyễn Văn Triết, UVTV.TU, Chủ tịch Ủy ban MTTQ tỉnh"
    assert fields.recipients[-1] == "Lưu Văn phòng, Ban Tuyên giáo ĐUK"
    assert len(fields.recipients) == 7


def test_seed_004_a_draft_has_no_number_nor_date_and_drops_the_glued_word() -> None:
    fields = read_fields(SEED_004.read_text(encoding="utf-8"))
    assert fields.header.number is None and fields.header.date is None
    assert fields.header.type_code == "KH"
    assert fields.title == (
        "Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 của Tỉnh ủy về tăng cường sự lãnh đạo "
        "của Đảng đối với công tác dân tộc giai đoạn 2026 - 2030"
    )
    assert fields.signature is not None
    assert fields.signature.lines == ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC")
    assert fields.signature.name == "Phan Minh Quảng"
    assert fields.recipients[0] == "Thường trực Tỉnh ủy (báo cáo)"
    assert fields.recipients[-1] == "Lưu Văn phòng Đảng ủy"
    assert any("'Thư' glued" in note for note in fields.notes)


# -- header -------------------------------------------------------------------------------


def test_party_header_flattened_with_runs_of_spaces() -> None:
    fields = _read(PARTY_FLAT)
    assert fields.as_json()["header"] == {
        "superior_body": "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
        "issuer": "ĐẢNG ỦY XÃ HÀM LIÊM",
        "number": 12,
        "symbol": "KH/ĐU",
        "number_text": "Số 12-KH/ĐU",
        "place": "Hàm Liêm",
        "date": "2025-03-05",
        "type_code": "KH",
        "type_name": "KẾ HOẠCH",
    }
    assert fields.title == "thực hiện Nghị quyết số 12-NQ/TU của Tỉnh ủy về công tác dân tộc"


def test_state_header_flattened_by_single_spaces_with_a_year_in_the_number() -> None:
    header = _read(STATE_FLAT).header
    assert header.superior_body is None
    assert header.issuer == "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"
    assert (header.number, header.symbol, header.number_text) == (12, "QĐ-UBND", "Số: 12/2024/QĐ-UBND")
    assert (header.place, header.date) == ("Đà Lạt", "2024-02-15")
    assert (header.type_code, header.type_name) == ("QĐ", "QUYẾT ĐỊNH")


def test_table_separators_and_wrapped_cells() -> None:
    text = (
        "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI |\n"
        "TỈNH LÂM ĐỒNG | CHỦ NGHĨA VIỆT NAM |\n"
        "Số: 07/TB-UBND | Lâm Đồng, ngày\n"
        "09 tháng 10 năm 2023 |\n"
        "THÔNG BÁO\n"
        "Kết luận của Chủ tịch\n"
    )
    header = _read(text).header
    assert header.issuer == "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"
    assert (header.number, header.symbol) == (7, "TB-UBND")
    assert (header.place, header.date) == ("Lâm Đồng", "2023-10-09")
    assert header.type_code == "TB"


def test_blank_number_with_spaces_around_the_dash_and_a_blank_date() -> None:
    text = (
        "ĐẢNG BỘ TỈNH LÂM ĐỒNG\tĐẢNG CỘNG SẢN VIỆT NAM\n"
        "ĐẢNG ỦY XÃ HÀM LIÊM\n"
        "Số     -KH/ĐU\tHàm Liêm, ngày   tháng 3 năm 2025\n\n"
        "KẾ HOẠCH\nvề công tác dân tộc\n"
    )
    header = _read(text).header
    assert (header.number, header.symbol, header.number_text) == (None, "KH/ĐU", "Số -KH/ĐU")
    assert (header.place, header.date) == ("Hàm Liêm", None)
    assert header.superior_body == "ĐẢNG BỘ TỈNH LÂM ĐỒNG"


def test_space_before_the_dash_of_a_party_number() -> None:
    header = _read("TỈNH ỦY LÂM ĐỒNG\nSố 38 -KH/TU\nKẾ HOẠCH\nvề việc A\n").header
    assert (header.number, header.symbol, header.number_text) == (38, "KH/TU", "Số 38 -KH/TU")


def test_type_line_glued_to_the_date_line_and_to_the_title() -> None:
    fields = _read(
        "HUYỆN ỦY ĐỨC TRỌNG\nSố 05-KH/HU\nĐức Trọng, ngày 02 tháng 01 năm 2025KẾ HOẠCHvề chuyển đổi số\n"
    )
    assert (fields.header.place, fields.header.date) == ("Đức Trọng", "2025-01-02")
    assert fields.header.type_name == "KẾ HOẠCH"
    assert fields.title == "về chuyển đổi số"


def test_uppercase_title_stops_at_the_authority_that_decides() -> None:
    fields = _read(STATE_FLAT.replace("Về việc thành lập Tổ công tác", "VỀ VIỆC THÀNH LẬP TỔ CÔNG TÁC"))
    assert fields.title == "VỀ VIỆC THÀNH LẬP TỔ CÔNG TÁC"


# -- công văn -------------------------------------------------------------------------------


def test_cong_van_subject_without_v_v_and_kinh_gui_not_taken_as_recipients() -> None:
    text = (
        "ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TỈNH LÂM ĐỒNG            Độc lập - Tự do - Hạnh phúc\n"
        "Số: 123/UBND-VX          Lâm Đồng, ngày 10 tháng 6 năm 2024\n"
        "V/v triển khai tháng hành động\n"
        "vì trẻ em năm 2024\n\n"
        "Kính gửi:\n- Sở Y tế;\n- Sở Giáo dục và Đào tạo.\n\n"
        "Ủy ban nhân dân tỉnh đề nghị các sở thực hiện./.\n\n"
        "Nơi nhận:                KT. CHỦ TỊCH\n"
        "- Như trên;              PHÓ CHỦ TỊCH\n"
        "- Lưu: VT, VX.\n"
        "                         Lê Văn Cường\n"
    )
    fields = _read(text)
    assert fields.title == "triển khai tháng hành động vì trẻ em năm 2024"
    assert (fields.header.type_code, fields.header.type_name) == ("CV", "")
    assert (fields.header.number, fields.header.symbol) == (123, "UBND-VX")
    assert fields.header.issuer == "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"
    assert fields.recipients == ("Như trên", "Lưu: VT, VX")
    assert fields.signature is not None
    assert fields.signature.lines == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert (fields.signature.name, fields.signature.form) == ("Lê Văn Cường", "KT.")


# -- signature and Nơi nhận -----------------------------------------------------------------


def test_three_line_authority_flattened_onto_the_nơi_nhận_lines() -> None:
    fields = _read(STATE_FLAT)
    assert fields.signature is not None
    assert fields.signature.lines == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert fields.signature.form == "TM."
    assert fields.signature.name == "Trần Thị Bình"
    assert fields.recipients == ("Như Điều 3", "Bộ Nội vụ", "Lưu: VT, NC")


def test_page_furniture_after_the_name_is_noted_not_read() -> None:
    fields = _read(STATE_FLAT.replace("Trang 2/2", "https://example.vn/van-ban/123"))
    assert fields.signature is not None and fields.signature.name == "Trần Thị Bình"
    assert any("example.vn" in note and note.startswith("line 16:") for note in fields.notes)


def test_nơi_nhận_after_the_signature() -> None:
    text = PARTY_FLAT.split("Nơi nhận:")[0] + (
        "T/M BAN THƯỜNG VỤ\nBÍ THƯ\n(Đã ký)\nNguyễn Văn An\n\nNơi nhận:\n- Tỉnh ủy,\n- Lưu VP.\n"
    )
    fields = _read(text)
    assert fields.signature is not None
    assert fields.signature.lines == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
    assert (fields.signature.name, fields.signature.form) == ("Nguyễn Văn An", "T/M")
    assert fields.recipients == ("Tỉnh ủy", "Lưu VP")


def test_nơi_nhận_before_the_signature_with_a_wrapped_entry() -> None:
    fields = _read(
        PARTY_FLAT.replace("- Các chi bộ trực thuộc,", "- Đ/c Trần Văn B, UVTV,\nTrưởng ban Dân vận,")
    )
    assert fields.recipients == (
        "Ban Thường vụ Tỉnh ủy (báo cáo)",
        "Đ/c Trần Văn B, UVTV, Trưởng ban Dân vận",
        "Lưu Văn phòng",
    )
    assert fields.signature is not None and fields.signature.name == "Nguyễn Văn An"


def test_signature_without_a_form() -> None:
    fields = _read(PARTY_FLAT.replace("T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ", "GIÁM ĐỐC"))
    assert fields.signature is not None
    assert (fields.signature.lines, fields.signature.name, fields.signature.form) == (
        ("GIÁM ĐỐC",),
        "Nguyễn Văn An",
        "",
    )


def test_fragment_without_signature_or_recipients() -> None:
    fields = _read(PARTY_FLAT.split("Nơi nhận:")[0])
    assert fields.signature is None
    assert fields.recipients == ()


def test_unplaced_header_text_is_noted_with_its_line() -> None:
    fields = _read("TỈNH ỦY LÂM ĐỒNG\nSố 38-KH/TU     xem bản in\nKẾ HOẠCH\nvề việc A\n")
    assert "line 2: header text 'xem bản in' not placed" in fields.notes


# -- shapes and types -----------------------------------------------------------------------


def test_as_json_has_the_shape_of_the_corpus_files() -> None:
    example = CORPUS_README.read_text(encoding="utf-8").split("```json")[1].split("```")[0]
    keys = {line.split('"')[1] for line in example.splitlines() if line.strip().startswith('"')}
    found = _read(PARTY_FLAT).as_json()
    assert (
        set(found) | set(found["header"]) | set(found["signature"]) | {"source", "kind", "complete"} == keys
    )
    json.dumps(found)  # plain JSON values only


def test_document_types_as_data() -> None:
    codes = [t.code for t in TYPES]
    for code in ("KH", "QĐ", "CV", "TB", "BC", "TTr", "CT", "KL", "TT", "HD", "NQ", "CTr", "QC", "QyĐ"):
        assert code in codes
    for code in ("ĐA", "PA", "BB", "GM"):
        assert by_code(code) is not None
    assert by_code("CV") is CONG_VAN and not CONG_VAN.has_type_line and CONG_VAN.name == ""
    assert by_code("TT") is not None and by_code("TT").name == "THÔNG TRI"  # type: ignore[union-attr]
    assert type_in_symbol("KH/ĐUK") == by_code("KH")
    assert type_in_symbol("2024/QĐ-UBND") == by_code("QĐ")
    assert type_in_symbol("UBND-VX") is CONG_VAN
    assert type_in_symbol("CV/BTGTU") is CONG_VAN
