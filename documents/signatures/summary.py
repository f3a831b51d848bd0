"""The verification of an issued PDF's signatures in Vietnamese, one line per signature, for the web
pages (the plan page, the recipient's receipt page): what `banhanh document verify` checks."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from documents.signatures.certificates import Kind

if TYPE_CHECKING:
    from documents.signatures.verify import SignatureReport

# verify.py's problems, by their opening words, as a person reads them.
_PROBLEMS_VI = (
    ("not intact", "nội dung đã bị thay đổi sau khi ký"),  # or after the document timestamp
    ("changed after signing beyond", "văn bản bị sửa ngoài việc điền số và ngày"),
    ("changed beyond what the certifying", ""),  # the same fact as the line above
    ("certificate revoked", "chứng thư số đã bị thu hồi"),
    ("certificate not trusted", "chứng thư số không thuộc gốc tin cậy đã cấu hình"),
    ("no timestamp", "không có dấu thời gian"),
    ("timestamp not valid", "dấu thời gian không hợp lệ"),
    ("no revocation data", "không kèm dữ liệu kiểm tra thu hồi"),
    ("changed after the document timestamp", "văn bản bị sửa sau khi đóng dấu thời gian"),
    ("timestamp not trusted", "chứng thư của máy chủ cấp dấu thời gian không thuộc gốc tin cậy đã cấu hình"),
)


def problem_vi(problem: str) -> str:
    return next((vi for en, vi in _PROBLEMS_VI if problem.startswith(en)), problem)


def line_vi(report: SignatureReport) -> str:
    """'Chữ ký cá nhân (ký duyệt) của …: ký lúc …; hợp lệ …' or '…: KHÔNG hợp lệ (…)'."""
    if report.kind is Kind.document_timestamp:
        return _timestamp_line_vi(report)
    who = "Chữ ký cá nhân (ký duyệt)" if report.kind is Kind.personal else "Chữ ký số của cơ quan (phát hành)"
    when = f"ký lúc {report.signing_time:%H:%M:%S ngày %d/%m/%Y} (giờ Hà Nội)" if report.signing_time else ""
    stamp = f", dấu thời gian của {report.timestamp_authority}" if report.timestamp_authority else ""
    head = f"{who} của {report.signer}: {when}{stamp}"
    if report.ok:
        after = "sau đó chỉ điền số, ngày" if report.modification == "form_filling" else "không bị sửa"
        trusted = f"chứng thư số tin cậy ({report.anchor})"
        return f"{head}; hợp lệ: nguyên vẹn, {after}, {trusted}, không bị thu hồi."
    reasons = [vi for vi in dict.fromkeys(problem_vi(p) for p in report.problems) if vi]
    return f"{head}; KHÔNG hợp lệ: {'; '.join(reasons)}."


def _timestamp_line_vi(report: SignatureReport) -> str:
    when = f"lúc {report.timestamp:%H:%M:%S ngày %d/%m/%Y} (giờ Hà Nội)" if report.timestamp else ""
    head = f"Dấu thời gian cho toàn văn bản (lưu trữ dài hạn) của {report.timestamp_authority}: {when}"
    if report.ok:
        return f"{head}; hợp lệ: nguyên vẹn, bao trùm toàn bộ tệp, chứng thư tin cậy ({report.anchor})."
    reasons = [vi for vi in dict.fromkeys(problem_vi(p) for p in report.problems) if vi]
    return f"{head}; KHÔNG hợp lệ: {'; '.join(reasons)}."


def summary_vi(pdf: bytes, anchors_setting: str) -> list[str]:
    """One line per signature of `pdf`, checked against the configured anchors with the revocation
    data the PDF embeds (no network from a web page); [] when it carries none."""
    return list(_summary(pdf, anchors_setting))


@lru_cache(maxsize=32)  # a page view need not validate the same file again
def _summary(pdf: bytes, anchors_setting: str) -> tuple[str, ...]:
    from documents.signatures.trust import anchor_paths, load_anchors
    from documents.signatures.verify import verify_pdf
    from models.errors import Invalid

    if b"/ByteRange" not in pdf:
        return ()
    try:
        reports = verify_pdf(pdf, load_anchors(anchor_paths(anchors_setting)), online=False)
    except Invalid as error:
        if error.code == "signature.no_anchor":
            return ("Chưa cấu hình gốc tin cậy (BANHANH_TRUST_ANCHORS): chưa kiểm tra được chữ ký số.",)
        return (f"Không kiểm tra được chữ ký số: {error.message}",)
    return tuple(line_vi(report) for report in reports)
