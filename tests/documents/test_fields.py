"""`read_fields` on the two seed plans and on the shapes real copied text takes: flattened header
columns, blank numbers and dates, years in numbers, multi-line authorities, Nơi nhận before or
after the signature or on the same lines, công văn with "V/v" and "Kính gửi"."""

from __future__ import annotations

import json
from pathlib import Path

from documents.doc_types import CONG_VAN, PARTY, STATE, TYPES, by_code, type_in_symbol
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
    thong_tri, ket_luan = by_code("TT"), by_code("KL")
    assert thong_tri is not None and thong_tri.name == "THÔNG TRI"  # the Party's, before the state's Thông tư
    assert ket_luan is not None and ket_luan.systems == {PARTY} and CONG_VAN.systems == {PARTY, STATE}
    assert type_in_symbol("KH/ĐUK") == by_code("KH")
    assert type_in_symbol("2024/QĐ-UBND") == by_code("QĐ")
    assert type_in_symbol("UBND-VX") is CONG_VAN
    assert type_in_symbol("CV/BTGTU") is CONG_VAN


# -- shapes met in copied text since ----------------------------------------------------------


def test_whole_party_header_on_one_line_split_into_superior_and_issuer() -> None:
    fields = _read(
        "ĐẢNG BỘ HUYỆN ĐẠI TỪ ĐẢNG ỦY XÃ LA BẰNG * Số 09 -KH/ĐU ĐẢNG CỘNG SẢN VIỆT NAM "
        "La Bằng, ngày 24 tháng 11 năm 2020 KẾ HOẠCH kiểm điểm cuối năm -Căn cứ Hướng dẫn số 33-HD/BTCTW\n"
    )
    header = fields.header
    assert (header.superior_body, header.issuer) == ("ĐẢNG BỘ HUYỆN ĐẠI TỪ", "ĐẢNG ỦY XÃ LA BẰNG")
    assert (header.number, header.place, header.date) == (9, "La Bằng", "2020-11-24")
    assert fields.title == "kiểm điểm cuối năm"


def test_a_name_is_not_split_where_its_own_words_follow() -> None:
    header = _read("BAN TUYÊN GIÁO TỈNH ỦY\nSố 05-HD/BTGTU\nHƯỚNG DẪN\nvề việc A\n").header
    assert (header.superior_body, header.issuer) == (None, "BAN TUYÊN GIÁO TỈNH ỦY")


def test_cells_wrapped_at_any_word_and_parted_by_pipes() -> None:
    text = (
        "BAN CHẤP HÀNH TRUNG\nƯƠNG\nBAN TỔ CHỨC\n--------\n|\nĐẢNG CỘNG SẢN VIỆT\nNAM\n|\n"
        "Số: 12-HD/BTCTW\n|\nHà\nNội, ngày 17\ntháng 5 năm 2012\n|\nHƯỚNG\nDẪN\n"
        "MỘT\nSỐ VẤN ĐỀ VỀ CÔNG TÁC ĐẢNG VIÊN\nCăn cứ Điều lệ Đảng,\n"
    )
    fields = _read(text)
    header = fields.header
    assert (header.superior_body, header.issuer) == ("BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN TỔ CHỨC")
    assert (header.place, header.date) == ("Hà Nội", "2012-05-17")
    assert (header.type_code, header.type_name) == ("HD", "HƯỚNG DẪN")
    assert fields.title == "MỘT SỐ VẤN ĐỀ VỀ CÔNG TÁC ĐẢNG VIÊN"


def test_ocr_spelled_type_line_and_a_title_from_capitals_into_lower_case() -> None:
    text = (
        "TỈNH ỦY THỪA THIÊN HUẾ\nĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 445-KL/TU\n"
        "Thừa Thiên Huế, ngày 13 tháng 5 năm 2022\nK ÉT LUẬN\nHỘI NGHỊ LẦN THỨ BẢY\n"
        "về xây dựng kết cấu hạ tầng,\nđịnh hướng đến năm 2030\nHội nghị đã thảo luận và kết luận:\n"
    )
    fields = _read(text)
    assert (fields.header.type_code, fields.header.type_name) == ("KL", "KẾT LUẬN")
    assert fields.title == "HỘI NGHỊ LẦN THỨ BẢY về xây dựng kết cấu hạ tầng, định hướng đến năm 2030"


def test_a_short_line_alone_past_a_blank_line_ends_the_title() -> None:
    fields = _read("TRƯỜNG TH A\nSố: 17/KH-TH\n\nKẾ HOẠCH GIÁO DỤC\n\nNăm học 2025-2026\n\n1. CĂN CỨ:\n")
    assert fields.title == "GIÁO DỤC Năm học 2025-2026"


def test_type_known_only_from_the_symbol_has_no_printed_name() -> None:
    header = _read("BAN CHẤP HÀNH TRUNG ƯƠNG\nSố 06-CT/TW\nHà Nội, ngày 07 tháng 11 năm 2006\n").header
    assert (header.type_code, header.type_name) == ("CT", None)


def test_signing_forms_as_copies_spell_them() -> None:
    for printed, form in (("K.T. BỘ TRƯỞNG", "KT."), ("T.M UỶ BAN NHÂN DÂN", "TM."), ("TM ỦY BAN", "TM.")):
        fields = _read(PARTY_FLAT.replace("T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ", printed))
        assert fields.signature is not None
        assert (fields.signature.lines, fields.signature.form) == ((printed,), form)


def test_every_form_line_of_the_block() -> None:
    signed = "TM. CHÍNH PHỦ\nTUQ. THỦ TƯỚNG\nBỘ TRƯỞNG BỘ TÀI CHÍNH"
    fields = _read(PARTY_FLAT.replace("T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ", signed))
    assert fields.signature is not None
    assert fields.signature.lines == ("TM. CHÍNH PHỦ", "TUQ. THỦ TƯỚNG", "BỘ TRƯỞNG BỘ TÀI CHÍNH")
    assert fields.signature.form == "TM."


def test_a_wrapped_authority_and_a_name_glued_to_the_title() -> None:
    text = PARTY_FLAT.replace(
        "T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ\n\nNguyễn Văn An",
        "TL. CHỦ TỊCH ỦY\nBAN NHÂN DÂN TỈNH\nCHÁNH VĂN PHÒNGThái Hữu Phép",
    )
    fields = _read(text)
    assert fields.signature is not None
    assert fields.signature.lines == ("TL. CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", "CHÁNH VĂN PHÒNG")
    assert (fields.signature.name, fields.signature.form) == ("Thái Hữu Phép", "TL.")


def test_a_name_signed_alone_under_the_body() -> None:
    fields = _read(
        "HỘI ĐỒNG BỘ TRƯỞNG\nSố: 101-HĐBT\nQUYẾT ĐỊNH\nVỀ VIỆC A\nĐiều 1. B.\n\nĐặng Thi\n\n(Đã ký)\n"
    )
    assert fields.signature is not None
    assert (fields.signature.lines, fields.signature.name, fields.signature.form) == ((), "Đặng Thi", "")


def test_any_text_is_read_without_error() -> None:
    for text in (
        "",
        "\n\n",
        "Số",
        "Số:",
        ", ngày",
        "KẾ HOẠCH",
        "Nơi nhận:",
        "T/M",
        "|||",
        "*",
        "HƯỚNG",
        "V/v",
    ):
        assert read_fields(text).as_json()["header"]["number"] is None


def test_a_nơi_nhận_list_without_dashes_has_one_entry_a_line() -> None:
    fields = _read(
        PARTY_FLAT.replace(
            "- Ban Thường vụ Tỉnh ủy (báo cáo),\n- Các chi bộ trực thuộc,\n- Lưu Văn phòng.",
            "Như trên;\nBộ Nội vụ;\nLưu: VT.",
        )
    )
    assert fields.recipients == ("Như trên", "Bộ Nội vụ", "Lưu: VT")
    assert fields.signature is not None and fields.signature.name == "Nguyễn Văn An"


def test_a_date_without_the_comma_after_its_place() -> None:
    header = _read(
        "TỈNH ỦY LÂM ĐỒNG\nSố 38-KH/TU\nĐà Lạt ngày 02 tháng 01 năm 2025\nKẾ HOẠCH\nvề việc A\n"
    ).header
    assert (header.place, header.date) == ("Đà Lạt", "2025-01-02")


def test_a_form_alone_on_its_line_and_the_list_ending_at_the_signature() -> None:
    text = PARTY_FLAT.replace("T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ", "K/T\nTRƯỞNG BAN\nPHÓ TRƯỞNG BAN") + (
        "Mẫu 1\n- Căn cứ Điều lệ Đảng;\n"
    )
    fields = _read(text)
    assert fields.signature is not None
    assert fields.signature.lines == ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")
    assert fields.signature.form == "K/T"
    assert fields.recipients == ("Ban Thường vụ Tỉnh ủy (báo cáo)", "Các chi bộ trực thuộc", "Lưu Văn phòng")


def test_signature_cells_glued_to_entries_by_one_space_but_not_archive_codes() -> None:
    text = STATE_FLAT.split("Nơi nhận:")[0] + (
        "Nơi nhận: KT. CHỦ TỊCH\n- Như trên; PHÓ CHỦ TỊCH\n- Lưu: VT, KT TH.\nNguyễn Văn An\n"
    )
    fields = _read(text)
    assert fields.recipients == ("Như trên", "Lưu: VT, KT TH")
    assert fields.signature is not None
    assert fields.signature.lines == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert fields.signature.name == "Nguyễn Văn An"


def test_the_council_and_its_session_under_a_resolution_title_are_not_the_title() -> None:
    text = (
        "HỘI ĐỒNG NHÂN DÂN\nTỈNH BÌNH ĐỊNH\nSố: 30/2011/NQ-HĐND\nBình Định, ngày 18 tháng 8 năm 2011\n"
        "NGHỊ QUYẾT\nVỀ ĐỀ ÁN ĐẶT TÊN ĐƯỜNG\nHỘI ĐỒNG NHÂN DÂN TỈNH\nKHÓA XI, KỲ HỌP THỨ 2\n"
        "Căn cứ Luật Tổ chức HĐND và UBND;\n"
    )
    fields = _read(text)
    assert fields.header.issuer == "HỘI ĐỒNG NHÂN DÂN TỈNH BÌNH ĐỊNH"
    assert (fields.header.number, fields.header.symbol) == (30, "NQ-HĐND")
    assert fields.title == "VỀ ĐỀ ÁN ĐẶT TÊN ĐƯỜNG"


def test_a_type_line_naming_who_decides_above_a_v_v_title() -> None:
    text = (
        "UỶ BAN NHÂN DÂN\nTỉnh Ninh Bình\nSố: 996 /QĐ-UB\nNinh Bình, ngày 10 tháng 10 năm 1995\n\n"
        "QUYẾT ĐỊNH CỦA UBND TỈNH NINH BÌNH\n\nV/v ban hành quy định đền bù\nUỶ BAN NHÂN DÂN TỈNH NINH BÌNH\n"
        "- Căn cứ luật tổ chức HĐND và UBND.\n"
    )
    fields = _read(text)
    assert fields.header.issuer == "UỶ BAN NHÂN DÂN Tỉnh Ninh Bình"
    assert (fields.header.number, fields.header.symbol, fields.header.number_text) == (
        996,
        "QĐ-UB",
        "Số: 996 /QĐ-UB",
    )
    assert fields.title == "V/v ban hành quy định đền bù"


def test_a_type_line_glued_to_a_date_line_with_runs_of_spaces_inside() -> None:
    header = _read(
        "HUYỆN ỦY ĐỨC TRỌNG\nSố 05-KH/HU\nĐức  Trọng,  ngày 02 tháng 01 năm 2025KẾ HOẠCH\nvề A\n"
    ).header
    assert (header.place, header.date, header.type_code) == ("Đức Trọng", "2025-01-02", "KH")
    assert header.issuer == "HUYỆN ỦY ĐỨC TRỌNG"


def test_a_number_in_capitals_and_a_date_in_figures() -> None:
    header = _read("SỞ Y TẾ\nSỐ: 15/QĐ-SYT\nĐà Lạt, ngày 05/3/2025\nQUYẾT ĐỊNH\nVề việc A\n").header
    assert (header.number, header.symbol, header.number_text) == (15, "QĐ-SYT", "SỐ: 15/QĐ-SYT")
    assert (header.place, header.date) == ("Đà Lạt", "2025-03-05")


def test_a_committee_named_by_its_level_ends_its_authority_line() -> None:
    fields = _read(PARTY_FLAT.replace("T/M BAN THƯỜNG VỤ", "T/M TỈNH ỦY"))
    assert fields.signature is not None
    assert fields.signature.lines == ("T/M TỈNH ỦY", "PHÓ BÍ THƯ")


def test_a_type_name_inside_a_wrapped_body_name_is_not_the_type_line() -> None:
    fields = _read(
        "UBND TỈNH LÂM ĐỒNG\nSỞ\nKẾ HOẠCH VÀ ĐẦU TƯ\nSố: 10/KH-SKHĐT\nLâm Đồng, ngày 02 tháng 3 năm 2025\n"
        "KẾ HOẠCH\nThu hút đầu tư năm 2025\n"
    )
    assert (fields.header.superior_body, fields.header.issuer) == (
        "UBND TỈNH LÂM ĐỒNG",
        "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
    )
    assert (fields.header.number, fields.header.date) == (10, "2025-03-02")
    assert fields.title == "Thu hút đầu tư năm 2025"


def test_urgency_and_draft_marks_are_not_the_issuer() -> None:
    fields = _read(
        "HỎA TỐC\nỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: 12/UBND-VX\nV/v phòng chống bão\nKính gửi: Các sở\n"
    )
    assert (fields.header.superior_body, fields.header.issuer) == (None, "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
    assert "line 1: mark 'HỎA TỐC' is not a field" in fields.notes
    assert fields.title == "phòng chống bão"


def test_a_markdown_table_copy() -> None:
    fields = _read(
        "| ĐẢNG BỘ TỈNH LÂM ĐỒNG | ĐẢNG CỘNG SẢN VIỆT NAM |\n|---|---|\n| **ĐẢNG ỦY XÃ HÀM LIÊM** | |\n"
        "| * | *Hàm Liêm, ngày 5 tháng 3 năm 2025* |\n| Số 12-KH/ĐU | |\n\n**KẾ HOẠCH**\n\n"
        "**thực hiện Nghị quyết số 12-NQ/TU**\n\nNội dung.\n\n| *Nơi nhận:* | **T/M BAN THƯỜNG VỤ** |\n"
        "|---|---|\n| - Ban Thường vụ Tỉnh ủy (báo cáo), | **BÍ THƯ** |\n| - Lưu Văn phòng. | |\n"
        "| | **Nguyễn Văn An** |\n"
    )
    assert (fields.header.superior_body, fields.header.issuer) == (
        "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
        "ĐẢNG ỦY XÃ HÀM LIÊM",
    )
    assert (fields.header.number, fields.header.place, fields.header.date) == (12, "Hàm Liêm", "2025-03-05")
    assert fields.title == "thực hiện Nghị quyết số 12-NQ/TU"
    assert fields.recipients == ("Ban Thường vụ Tỉnh ủy (báo cáo)", "Lưu Văn phòng")
    assert fields.signature is not None
    assert (fields.signature.lines, fields.signature.name) == (
        ("T/M BAN THƯỜNG VỤ", "BÍ THƯ"),
        "Nguyễn Văn An",
    )
