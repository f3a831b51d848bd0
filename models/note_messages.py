"""The message of every importer note code, in English (the CLI, the audit detail: each reproduces
the text printed before notes had codes) and Vietnamese (the web pages, `--json`). Beside
models/error_messages.py and of the same shape; tests/documents/test_note_codes.py checks that
every code has both and that every producer's notes carry a code of this table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from models.error_messages import VI_VALUES, Message

NOTE_MESSAGES: dict[str, Message] = {
    # Plain text (and Word text, once written out as lines): what the importer dropped or moved.
    "import.invisible_removed": Message(
        "removed {characters}: control and invisible characters are not kept",
        "Đã bỏ ký tự ẩn hoặc ký tự điều khiển ({characters}); văn bản không giữ các ký tự này.",
    ),
    "import.header_dropped": Message(
        "header line '{text}' dropped: the header is printed from the organisation's settings",
        "Đã bỏ dòng “{text}” ở phần đầu: tên cơ quan và quốc hiệu được in theo cấu hình của cơ quan.",
    ),
    "import.header_line_long": Message(
        "header line '{text}' dropped: a header line is short",
        "Đã bỏ dòng “{text}” ở phần đầu vì quá dài; xin kiểm tra xem đó có phải nội dung văn bản không.",
    ),
    "import.number_dropped": Message(
        "number '{number}' dropped: the official number is assigned at issuance",
        "Đã bỏ số “{number}”: số văn bản do văn thư cấp khi ban hành.",
    ),
    "import.date_dropped": Message(
        "date '{date}' dropped: the date is set at signing",
        "Đã bỏ ngày “{date}”: ngày văn bản được ghi khi ký.",
    ),
    "import.text_after_type": Message(
        "text '{text}' after the type name dropped: not the trích yếu",
        "Đã bỏ chữ “{text}” sau tên loại văn bản: không phải trích yếu; nếu cần, xin sửa lại trích yếu.",
    ),
    "import.separator_dropped": Message(
        "separator '{text}' dropped: the renderer draws it",
        "Đã bỏ đường kẻ “{text}”: đường kẻ được vẽ khi in văn bản.",
    ),
    "import.page_break_joined": Message(
        "joined to the paragraph above: a page break had split the sentence",
        "Đã nối vào đoạn trên: câu bị ngắt giữa hai trang.",
    ),
    "import.footnote_order": Message(
        "footnote {number} is footnote {position} in order; footnotes are numbered by their order",
        "Chú thích {number} đứng thứ {position}; chú thích được đánh số theo thứ tự xuất hiện.",
    ),
    "import.footnote_unused": Message(
        "footnote {number} has no marker in the body",
        "Chú thích {number} không có dấu chú thích trong nội dung; xin thêm dấu hoặc bỏ chú thích.",
    ),
    "import.marker_without_footnote": Message(
        "marker {number} has no footnote text",
        "Dấu chú thích {number} không có lời chú thích; xin thêm lời chú thích hoặc bỏ dấu.",
    ),
    "import.no_recipients_label": Message(
        "no 'Nơi nhận:' list found",
        "Không thấy mục “Nơi nhận:”; xin thêm nơi nhận trước khi trình.",
    ),
    "import.recipients_empty": Message(
        "the 'Nơi nhận:' list is empty",
        "Mục “Nơi nhận:” không có nơi nào; xin thêm nơi nhận trước khi trình.",
    ),
    "import.archive_not_last": Message(
        "the archive entry ('Lưu …') is not the last recipient",
        "Dòng lưu (“Lưu …”) không phải dòng cuối của nơi nhận; xin chuyển nó xuống cuối.",
    ),
    "import.glued_tail_dropped": Message(
        "text '{text}' glued after the final '.' dropped: extraction noise",
        "Đã bỏ chữ “{text}” dính sau dấu chấm cuối: phần thừa khi sao chép văn bản.",
    ),
    "import.version_hash_dropped": Message(
        "'{text}' dropped: the version hash comes from the content",
        "Đã bỏ “{text}”: mã phiên bản được tính từ nội dung.",
    ),
    "import.no_signature": Message(
        "no signature block found",
        "Không thấy phần chữ ký; xin chọn người ký trước khi trình.",
    ),
    "import.no_signer_name": Message(
        "the signature block has no signer name",
        "Phần chữ ký không có tên người ký; xin chọn người ký trước khi trình.",
    ),
    "import.after_signer_dropped": Message(
        "text '{text}' after the signer's name dropped",
        "Đã bỏ chữ “{text}” sau tên người ký.",
    ),
    "import.signature_remark_dropped": Message(
        "signature remark '{text}' dropped: the signature is added at signing",
        "Đã bỏ ghi chú “{text}” ở chữ ký: chữ ký được thêm khi ký.",
    ),
    # Fields read from copied text (documents/fields.py): what has no field.
    "fields.mark_not_field": Message(
        "mark '{text}' is not a field", "Dấu “{text}” ở phần đầu không thuộc mục nào nên không được đọc."
    ),
    "fields.header_not_placed": Message(
        "header text '{text}' not placed", "Chữ “{text}” ở phần đầu không thuộc mục nào nên không được đọc."
    ),
    "fields.rest_not_read": Message(
        "'{text}' and the text after it not read", "Không đọc “{text}” và phần chữ sau nó."
    ),
    "fields.glued_tail_dropped": Message(
        "'{text}' glued after the last entry's '.' dropped",
        "Đã bỏ “{text}” dính sau dấu chấm của nơi nhận cuối.",
    ),
    "fields.cell_not_placed": Message(
        "'{text}' not placed (neither Nơi nhận nor signature)",
        "“{text}” không thuộc nơi nhận cũng không thuộc chữ ký nên không được đọc.",
    ),
    "fields.before_signature": Message(
        "'{text}' not placed before the signature", "“{text}” đứng trước chữ ký nhưng không thuộc mục nào."
    ),
    "fields.after_signature": Message(
        "'{text}' after the signature not placed", "“{text}” đứng sau chữ ký nên không được đọc."
    ),
    # Word files: what has no place in a plan.
    "docx.table_in_body": Message(
        "a table in the body was read cell by cell as paragraphs",
        "Bảng trong nội dung đã được đọc thành các đoạn, từng ô một; xin kiểm tra lại nội dung.",
    ),
    "docx.after_signature_dropped": Message(
        "text '{text}' after the signature block dropped",
        "Đã bỏ chữ “{text}” sau phần chữ ký.",
    ),
    "docx.heading_unnumbered": Message(
        "heading '{text}' has no number: it is kept as a paragraph",
        "Đề mục “{text}” không có số thứ tự nên được giữ như một đoạn; nếu là đề mục, xin đánh số.",
    ),
    "docx.equation_dropped": Message(
        "an equation was dropped", "Đã bỏ một công thức; xin viết lại bằng chữ nếu cần."
    ),
    "docx.symbol_dropped": Message(
        "symbol {char} ({font}) dropped", "Đã bỏ ký hiệu {char} (phông {font}); xin thay bằng chữ nếu cần."
    ),
    "docx.text_box_dropped": Message(
        "text box '{text}' dropped: put its text in a paragraph",
        "Đã bỏ hộp văn bản “{text}”; xin đưa chữ trong hộp vào một đoạn.",
    ),
    "docx.picture_dropped": Message(
        "a picture or drawing was dropped", "Đã bỏ một hình ảnh hoặc hình vẽ: văn bản chỉ giữ chữ."
    ),
    "docx.endnote_as_footnote": Message(
        "endnote read as footnote {number}", "Chú thích cuối văn bản được đọc thành chú thích {number}."
    ),
    "docx.footnote_joined": Message(
        "its {count} paragraphs were joined into one", "{count} đoạn của chú thích đã được nối thành một."
    ),
    "docx.page_header_ignored": Message(
        "text '{text}' ignored: page headers and footers are not kept",
        "Đã bỏ chữ “{text}” ở đầu hoặc chân trang: văn bản không giữ đầu trang, chân trang.",
    ),
    # The recipient and signer mapping, and a plan already imported.
    "recipients.as_above": Message(
        "'{text}' stands for the addressees named in Điều {article}: {names}",
        "“{text}” là các nơi được nêu ở Điều {article}: {names}.",
    ),
    "recipients.as_above_greeting": Message(
        "'{text}' stands for the addressees named in Kính gửi (or, without it, the text): {names}",
        "“{text}” là các nơi ở phần Kính gửi (hoặc, nếu không có, trong nội dung): {names}.",
    ),
    "recipients.as_above_unknown": Message(
        "'{text}' stands for the addressees named in Điều {article}, and none of them is "
        "in the address book; name them there or replace the line before submitting",
        "“{text}” là các nơi được nêu ở Điều {article}, nhưng không nơi nào có trong sổ địa chỉ; "
        "xin ghi rõ các nơi đó hoặc thay dòng này trước khi trình.",
    ),
    "recipients.as_above_greeting_unknown": Message(
        "'{text}' stands for the addressees named in Kính gửi (or, without it, the text), and none "
        "of them is in the address book; name them there or replace the line before submitting",
        "“{text}” là các nơi ở phần Kính gửi (hoặc trong nội dung), nhưng không nơi nào có trong sổ "
        "địa chỉ; xin ghi rõ các nơi đó hoặc thay dòng này trước khi trình.",
    ),
    "recipients.unknown": Message(
        "'{text}' is not in the address book; map it before submitting",
        "“{text}” không có trong sổ địa chỉ; xin chọn đơn vị tương ứng trước khi trình.",
    ),
    "signature.unknown_signer": Message(
        "'{name}' is not a person of {org}; assign a signer",
        "“{name}” không phải cán bộ của {org}; xin chọn người ký.",
    ),
    "plan.duplicate_text": Message(
        "the same text as KH-{plan} ({state})",
        "Nội dung trùng với văn bản KH-{plan} ({state}); xin kiểm tra xem có nhập lại nhầm không.",
    ),
    "plan.duplicate_text_issued": Message(
        "the same text as KH-{plan} ({state}, {symbol})",
        "Nội dung trùng với văn bản KH-{plan} ({state}, {symbol}); xin kiểm tra xem có nhập lại nhầm không.",
    ),
}

# The place of a note, word by word ("paragraph 3 (table 1, row 2, cell 1)", "recipients[2]").
_PLACES = [
    (re.compile(r"^recipients\[(\d+)\]"), r"Nơi nhận, dòng \1"),
    (re.compile(r"\bend of document\b"), "cuối văn bản"),
    (re.compile(r"\bpage header\b"), "đầu trang"),
    (re.compile(r"\bpage footer\b"), "chân trang"),
    (re.compile(r"\bparagraph\b"), "đoạn"),
    (re.compile(r"\bline\b"), "dòng"),
    (re.compile(r"\btable\b"), "bảng"),
    (re.compile(r"\brow\b"), "hàng"),
    (re.compile(r"\bcell\b"), "ô"),
    (re.compile(r"\bfootnote\b"), "chú thích"),
    (re.compile(r"^signature$"), "Chữ ký"),
    (re.compile(r"^duplicate$"), "Trùng nội dung"),
]


def vietnamese_place(where: str) -> str:
    for pattern, words in _PLACES:
        where = pattern.sub(words, where)
    return where[:1].upper() + where[1:]


def _format(code: str, params: Mapping[str, Any], vi: bool) -> str:
    entry = NOTE_MESSAGES[code]  # an unknown code fails where the note is made, in the tests
    if not vi:
        return entry.en.format_map({k: str(v) for k, v in params.items()})
    # A value with a Vietnamese name (a plan's state) is named as the error messages name it.
    return entry.vi.format_map({k: VI_VALUES.get(k, {}).get(str(v), str(v)) for k, v in params.items()})


def english(code: str, params: Mapping[str, Any]) -> str:
    return _format(code, params, vi=False)


def vietnamese(code: str, params: Mapping[str, Any]) -> str:
    return _format(code, params, vi=True)
