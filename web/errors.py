"""How the web answers a domain error: a status per class, and the Vietnamese message of its
code on the error page (or as JSON to a client that asks for it)."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from models.errors import AlreadyDecided, BanHanhError, Invalid, NotAllowed, NotFound, Refused, WrongState
from web.pages import page

# Every class is named (tests/web/test_error_shapes.py fails on one that is not); the nearest in an
# error's class hierarchy answers.
STATUS: dict[type[BanHanhError], int] = {
    BanHanhError: 400,
    Invalid: 400,
    NotFound: 404,
    Refused: 403,
    NotAllowed: 403,
    WrongState: 409,
    AlreadyDecided: 409,
}

# The fields services name in their errors, as the pages call them.
FIELD_NAMES = {
    "actor": "Người thực hiện",
    "as": "Người thực hiện",
    "comment": "Ý kiến",
    "decision": "Ý kiến",
    "document": "Tệp",
    "email": "Thư điện tử",
    "file": "Tệp",
    "format": "Thể thức",
    "link": "Đường dẫn",
    "name": "Tên",
    "plan": "Văn bản",
    "reason": "Lý do",
    "recipients": "Nơi nhận",
    "reviewers": "Người cho ý kiến",
    "roles": "Vai trò",
    "signer": "Người ký",
    "task": "Việc cho ý kiến",
    "title": "Trích yếu",
    "version": "Phiên bản",
    "page": "Trang",
    "year": "Năm",
    "deliveries": "Bản gửi",
    "end": "Ngày kết thúc",
    "kind": "Loại ủy quyền",
    "mail": "Thư",
    "on_behalf_of": "Thay mặt",
    "org": "Cơ quan",
    "review": "Vòng xem xét",
    "role": "Vai trò",
    "secrecy": "Độ mật",
    "sort": "Sắp xếp",
    "start": "Ngày bắt đầu",
    "state": "Trạng thái",
    "template": "Mẫu xem xét",
    "text": "Văn bản",
    "to": "Nơi nhận",
    "token": "Đường dẫn",
    "milestone": "Mốc sơ kết, tổng kết",
    "until": "Ngày đề nghị gia hạn",
    "period": "Kỳ báo cáo",
}


def status_of(error: BanHanhError) -> int:
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def field_label(field: str) -> str:
    """The field as the pages call it; a file's name (an import) is shown as it is."""
    return FIELD_NAMES.get(field.split("[")[0], field)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BanHanhError)
    status = status_of(exc)
    if "application/json" in request.headers.get("accept", ""):
        params = json.loads(json.dumps(exc.params, default=str))
        body = {"code": exc.code, "field": exc.field, "message": exc.message, "params": params}
        return JSONResponse(body, status_code=status)
    title = "Đường dẫn không dùng được" if exc.code.startswith("link.") else "Không thực hiện được"
    return page(request, "error", status, title=title, field=field_label(exc.field), reason=exc.message)
