"""The message of every error code, in English (the CLI, logs, `reason`) and Vietnamese (the web
pages, and the CLI when asked), as format strings over the error's params.

A code without an entry of its own is not possible: tests/web/test_error_shapes.py finds every code
literal in the source and checks it is here. An error raised without a code gets its class's
generic code, whose Vietnamese message names no detail (the field shown beside it does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from models.errors import BanHanhError


class Message(NamedTuple):
    en: str
    vi: str


MESSAGES: dict[str, Message] = {
    # One per class, for errors raised without a code.
    "error": Message("the request cannot be carried out", "Không thực hiện được yêu cầu này."),
    "invalid": Message("the value is not valid", "Giá trị đã nhập không hợp lệ; xin kiểm tra lại."),
    "not_found": Message("nothing with this name or number exists", "Không tìm thấy mục được yêu cầu."),
    "refused": Message("this is refused", "Yêu cầu này bị từ chối."),
    "not_allowed": Message("you may not do this", "Đồng chí không có quyền làm việc này."),
    "wrong_state": Message(
        "the plan is not in a state that allows this", "Văn bản đang ở trạng thái không cho phép việc này."
    ),
    "already_decided": Message("this was already decided", "Việc này đã được quyết định trước đó."),
    # Input in any field.
    "field.required": Message("is required", "Cần điền mục này."),
    "field.one_line": Message("must be one line", "Phải viết trên một dòng."),
    "field.too_long": Message(
        "is {length} characters long; at most {limit}", "Dài {length} ký tự; tối đa {limit}."
    ),
    "field.bad_email": Message(
        "'{value}' is not a valid email address", "“{value}” không phải một địa chỉ thư điện tử hợp lệ."
    ),
    "field.not_number": Message(
        "'{text}' is not a whole number from {low} to {high}",
        "“{text}” không phải một số nguyên từ {low} đến {high}.",
    ),
    "field.not_date": Message(
        "'{value}' is not a date (YYYY-MM-DD)", "“{value}” không phải một ngày (YYYY-MM-DD)."
    ),
    "field.bad_choice": Message(
        "'{value}' is not one of: {choices}", "“{value}” không phải một trong: {choices}."
    ),
    "text.nul": Message("line {line} holds a NUL character", "Dòng {line} có ký tự NUL (không phải chữ)."),
    "field.required_text": Message("is required and must be text", "Cần điền mục này, bằng chữ."),
    "field.not_text": Message("must be text", "Phải là chữ."),
    "field.not_bool": Message("must be true or false", "Phải là true hoặc false."),
    "field.twice": Message("'{value}' appears twice", "“{value}” xuất hiện hai lần."),
    "field.invisible": Message(
        "contains {point} {name}: control and invisible characters are refused",
        "Có ký tự {point}: không nhận ký tự điều khiển hoặc ký tự ẩn.",
    ),
    # An organisation's TOML (directory load).
    "config.unknown_key": Message(
        "unknown key '{key}' {where}{hint}", "Khóa “{key}” không có trong cấu hình của cơ quan."
    ),
    "config.no_organisation": Message("the [organisation] table is missing", "Thiếu bảng [organisation]."),
    "config.bad_system": Message(
        "'{value}' is not one of party, state", "“{value}” không phải hệ thống Đảng hay Nhà nước."
    ),
    "config.party_term": Message(
        "a Party body needs its committee term (numbers run per term)",
        "Cơ quan Đảng cần ghi nhiệm kỳ (số văn bản đánh theo nhiệm kỳ).",
    ),
    "config.person_elsewhere": Message(
        "{email} already belongs to another organisation", "{email} đã thuộc một cơ quan khác."
    ),
    "config.not_table": Message("must be a [{table}] table", "Phải là một bảng [{table}]."),
    "config.not_tables": Message(
        "must be a list of [[{table}]] tables", "Phải là danh sách các bảng [[{table}]]."
    ),
    "config.not_a_person": Message(
        "'{email}' is not one of this organisation's people", "“{email}” không phải người của cơ quan này."
    ),
    "config.password_only": Message(
        "a password is given without the PKCS#12 file", "Có mật khẩu nhưng không có tệp PKCS#12."
    ),
    "config.template_shape": Message(
        "must be a table with a name and [[review_templates.stages]]",
        "Phải là một bảng có tên và các vòng [[review_templates.stages]].",
    ),
    "config.stage_shape": Message(
        "must be a table with reviewers and a rule", "Phải là một bảng có người cho ý kiến và quy tắc."
    ),
    "config.stage_no_reviewers": Message(
        "must list the emails of the stage's reviewers",
        "Cần liệt kê địa chỉ thư của những người cho ý kiến ở vòng này.",
    ),
    "config.not_a_reviewer": Message(
        "'{email}' is not a reviewer of this organisation",
        "“{email}” không phải người cho ý kiến của cơ quan này.",
    ),
    "config.bad_rule": Message("{detail}", "Quy tắc của vòng xem xét không hợp lệ."),
    "config.bad_stages": Message("{detail}", "Các vòng xem xét không hợp lệ."),
    "config.not_emails": Message(
        "must be a list of email addresses", "Phải là danh sách địa chỉ thư điện tử."
    ),
    "config.not_dates": Message(
        "must be a list of dates (YYYY-MM-DD)", "Phải là danh sách ngày (YYYY-MM-DD)."
    ),
    "config.person_shape": Message(
        "must be a table with email, name and roles", "Phải là một bảng có địa chỉ thư, họ tên và vai trò."
    ),
    "config.roles": Message(
        "must list one or more of {values}", "Cần ghi một hoặc nhiều vai trò trong: {values}."
    ),
    "config.unit_shape": Message("must be a table with code and name", "Phải là một bảng có mã và tên."),
    "config.not_texts": Message("must be a list of text", "Phải là danh sách các dòng chữ."),
    "config.members_shape": Message(
        "must be a non-empty list of unit codes", "Phải là danh sách (không trống) mã các đơn vị."
    ),
    "config.unknown_member": Message("no unit with code '{unit}'", "Không có đơn vị mang mã “{unit}”."),
    "config.not_number": Message(
        "must be a whole number from {low} to {high}", "Phải là số nguyên từ {low} đến {high}."
    ),
    "config.not_email": Message("must be an email address", "Phải là một địa chỉ thư điện tử."),
    "config.no_organisation_in": Message(
        "{path} has no [organisation] table", "{path} không có bảng [organisation]."
    ),
    "config.key_not_text": Message("{key} must be text", "{key} phải là chữ."),
    "config.bad_system_in": Message(
        "organisation.system '{value}' is not one of party, state",
        "organisation.system “{value}” không phải hệ thống Đảng hay Nhà nước.",
    ),
    "config.no_name": Message("organisation.name is missing", "Thiếu organisation.name (tên cơ quan)."),
    # Sealing and reading PDFs.
    "seal.missing": Message(
        "the sealing certificate {path} does not exist", "Không có chứng thư đóng dấu {path}."
    ),
    "seal.bad_password": Message(
        "{path} cannot be opened with the password given", "Không mở được {path} bằng mật khẩu đã cho."
    ),
    "seal.not_pem": Message("not a PEM certificate ({detail})", "Không phải chứng thư dạng PEM."),
    "seal.none": Message("the PDF carries no seal", "Tệp PDF không có dấu số."),
    "pdf.unreadable": Message("not a readable PDF ({detail})", "Không đọc được tệp PDF này."),
    "audit.no_anchor": Message(
        "carries no audit anchor ('Nhật ký kiểm chứng … #seq · hash')",
        "Không có mốc nhật ký kiểm chứng (‘Nhật ký kiểm chứng … #seq · hash’).",
    ),
    # Who may act.
    "person.not_found": Message(
        "no person with the email address '{email}'", "Không có ai dùng địa chỉ thư “{email}”."
    ),
    "person.no_role": Message("{who} holds no role", "{who} không giữ vai trò nào cho việc này."),
    "person.other_org": Message("{email} belongs to another organisation", "{email} thuộc một cơ quan khác."),
    "person.own_secretariat": Message(
        "you cannot remove your own secretariat role", "Đồng chí không thể tự bỏ vai trò Văn phòng của mình."
    ),
    "person.roles": Message("choose one or more of {roles}", "Xin chọn một hoặc nhiều vai trò: {roles}."),
    "role.outside_domain": Message(
        "{email} is outside the organisation ({domains}): it can hold no role unless the organisation"
        " lists its domain in role_domains",
        "{email} không thuộc cơ quan ({domains}) nên không được giữ vai trò nào, trừ khi cơ quan khai"
        " tên miền này trong role_domains.",
    ),
    "role.admin_only": Message(
        "only an organisation administrator can grant or remove reviewer, signer or admin",
        "Chỉ quản trị viên của cơ quan mới cấp hoặc bỏ vai trò cho ý kiến, ký hoặc quản trị.",
    ),
    "role.confirm_admin_only": Message(
        "only an organisation administrator can confirm a role change",
        "Chỉ quản trị viên của cơ quan mới xác nhận thay đổi vai trò.",
    ),
    "role.second_admin": Message(
        "a second administrator must confirm a role change, not the one who asked",
        "Thay đổi vai trò phải do một quản trị viên khác xác nhận, không phải người đề nghị.",
    ),
    "role.change_unknown": Message(
        "no role change {change} in this organisation", "Không có đề nghị thay đổi vai trò số {change}."
    ),
    "role.change_done": Message(
        "this role change was already confirmed", "Thay đổi vai trò này đã được xác nhận."
    ),
    "config.role_domains": Message(
        'must be a list of email domains such as "hamliem.gov.vn"',
        "Phải là danh sách tên miền thư điện tử, ví dụ “hamliem.gov.vn”.",
    ),
    "access.not_secretariat": Message(
        "{actor} is not a member of the secretariat", "{actor} không thuộc Văn phòng."
    ),
    "access.not_plan_secretariat": Message(
        "{actor} is not a member of this plan's secretariat", "{actor} không thuộc Văn phòng của văn bản này."
    ),
    "access.other_org": Message("{actor} does not belong to {org}", "{actor} không thuộc {org}."),
    "org.not_found": Message("no organisation with key '{key}'", "Không có cơ quan mang mã “{key}”."),
    # Plans and their lifecycle.
    "plan.not_found": Message("no plan with id {plan_id}", "Không có văn bản số {plan_id}."),
    "plan.wrong_role": Message(
        "'{action}' in state '{state}' is for {roles}, not {role}",
        "Việc “{action}” khi văn bản {state} là của {roles}, không phải của {role}.",
    ),
    "plan.wrong_state": Message(
        "cannot {action} a plan in state '{state}' (only from: {states})",
        "Văn bản đang ở trạng thái “{state}”: không thể {action} (chỉ làm được khi văn bản {states}).",
    ),
    "plan.not_assigned": Message(
        "you are not assigned to this plan as {role} for '{action}'",
        "Đồng chí không được giao văn bản này với vai trò {role} để {action}.",
    ),
    "plan.drafter_may_not": Message(
        "separation of duties: the drafter of a plan may not {action} it "
        "(the organisation does not set {setting} = true)",
        "Tách bạch nhiệm vụ: người soạn văn bản không được tự {action} (cơ quan chưa đặt {setting} = true).",
    ),
    "plan.changed_meanwhile": Message(
        "the plan was changed by someone else at the same moment; reload it",
        "Văn bản vừa được người khác thay đổi cùng lúc; xin tải lại trang.",
    ),
    "plan.edit_conflict": Message(
        "the draft changed since this edit began (now version {current}); "
        "reopen it and make the change again",
        "Dự thảo đã thay đổi từ khi đồng chí bắt đầu sửa (nay là phiên bản {current}); "
        "xin mở lại và sửa lần nữa.",
    ),
    "plan.title_empty": Message("the title is empty", "Trích yếu đang để trống."),
    "plan.title_multiline": Message(
        "the title must be one line (it becomes an email subject)",
        "Trích yếu phải viết trên một dòng (nó là tiêu đề thư).",
    ),
    "plan.title_too_long": Message(
        "the title is {length} characters long; at most {limit}",
        "Trích yếu dài {length} ký tự; tối đa {limit}.",
    ),
    "assign.reviewers_and_template": Message(
        "give either reviewers or a review template, not both",
        "Xin chọn người cho ý kiến hoặc một mẫu xem xét, không chọn cả hai.",
    ),
    "assign.reviewer_twice": Message("'{email}' is listed twice", "“{email}” được chọn hai lần."),
    "assign.unknown_reviewer": Message(
        "unknown reviewer '{email}' in this organisation", "Cơ quan không có người cho ý kiến “{email}”."
    ),
    "assign.not_signer": Message(
        "'{signer}' is not a signer of this organisation", "“{signer}” không phải người ký của cơ quan này."
    ),
    "assign.unknown_unit": Message(
        "no unit with code '{unit}' in the address book", "Sổ địa chỉ không có đơn vị mang mã “{unit}”."
    ),
    "assign.template_not_found": Message(
        "{org} has no review template '{name}' (templates: {names})",
        "{org} không có mẫu xem xét “{name}” (các mẫu có: {names}).",
    ),
    "assign.template_invalid": Message(
        "{name}: {detail}", "Mẫu xem xét “{name}” không dùng được với những người cho ý kiến hiện có."
    ),
    "submit.no_signer": Message("no signer is assigned", "Chưa chọn người ký."),
    "submit.no_reviewer": Message("no reviewer is assigned", "Chưa chọn người cho ý kiến."),
    "submit.no_recipient": Message(
        "the Nơi nhận list has no recipient", "Danh sách Nơi nhận chưa có nơi nào."
    ),
    "submit.as_above_unreferred": Message(
        "'{text}' stands for the addressees named in Kính gửi or in the article it cites, and none of"
        " them is in the address book; name them there or replace the line before submitting",
        "“{text}” chỉ những nơi nhận nêu ở Kính gửi hoặc ở điều được dẫn, nhưng không nơi nào có trong"
        " danh bạ; xin thêm vào danh bạ hoặc thay dòng này trước khi trình.",
    ),
    "submit.recipient_unmapped": Message(
        "'{text}' is not mapped to the address book",
        "“{text}” chưa được gắn với một đơn vị trong sổ địa chỉ.",
    ),
    "withdraw.reason_required": Message("say why the plan is withdrawn", "Xin ghi lý do rút lại văn bản."),
    "withdraw.reason_too_long": Message(
        "the reason is longer than {limit} characters", "Lý do dài quá {limit} ký tự."
    ),
    # Recall, replacement and correction of an issued plan.
    "recall.reason_required": Message(
        "say why the plan is recalled (the reason goes to every recipient)",
        "Xin ghi lý do thu hồi văn bản (lý do được gửi tới mọi nơi nhận).",
    ),
    "recall.reason_too_long": Message(
        "the reason is longer than {limit} characters", "Lý do thu hồi dài quá {limit} ký tự."
    ),
    "recall.not_signer": Message(
        "only the plan's signer or the head of its organisation may recall it",
        "Chỉ người đã ký văn bản hoặc người đứng đầu cơ quan mới được đề nghị thu hồi văn bản.",
    ),
    "recall.other_org": Message(
        "only a signer or the head of the plan's organisation may do this",
        "Chỉ người có thẩm quyền ký hoặc người đứng đầu cơ quan ban hành mới được làm việc này.",
    ),
    "recall.same_person": Message(
        "the recall must be confirmed by a second person, not by the one who asked for it",
        "Việc thu hồi phải do một người khác xác nhận, không phải người đã đề nghị thu hồi.",
    ),
    "recall.invalid_link": Message(
        "this recall link is not valid", "Đường dẫn xác nhận thu hồi này không hợp lệ."
    ),
    "recall.not_recalled": Message(
        "plan {plan_id} is {state}, not recalled",
        "Văn bản số {plan_id} đang ở trạng thái “{state}”, không phải đã thu hồi.",
    ),
    "recall.note_required": Message(
        "say how the recipient confirmed it (a note is required)",
        "Xin ghi nơi nhận đã xác nhận hủy bằng cách nào (cần ghi chú).",
    ),
    "recall.not_recipient": Message(
        "'{recipient}' is not a recipient asked to destroy plan {plan_id}",
        "“{recipient}” không phải nơi nhận được đề nghị hủy văn bản số {plan_id}.",
    ),
    "supersede.not_replaced": Message(
        "no plan replacing this one is issued", "Chưa có văn bản thay thế văn bản này được ban hành."
    ),
    "replace.not_issued": Message(
        "plan {plan_id} is {state}; only an issued or recalled plan is replaced or corrected",
        "Văn bản số {plan_id} đang ở trạng thái “{state}”; chỉ văn bản đã ban hành hoặc đã thu hồi"
        " mới được thay thế hoặc đính chính.",
    ),
    "replace.exists": Message(
        "plan {plan_id} already has a document that {link} it: plan {other}",
        "Văn bản số {plan_id} đã có văn bản {link} nó: văn bản số {other}.",
    ),
    "correct.what_required": Message(
        "say what is corrected (--what)", "Xin ghi nội dung được đính chính (--what)."
    ),
    "correct.what_too_long": Message(
        "what is corrected is longer than {limit} characters", "Nội dung đính chính dài quá {limit} ký tự."
    ),
    # Reviews and signing.
    "review.bad_decision": Message(
        "choose approve, request changes or reject", "Xin chọn đồng ý, đề nghị chỉnh sửa hoặc không đồng ý."
    ),
    "review.comment_required": Message("a comment is required to {words}", "Cần ghi ý kiến khi {action}."),
    "review.no_open_task": Message(
        "you have no open review task on this plan",
        "Đồng chí không có việc cho ý kiến nào đang mở trên văn bản này.",
    ),
    "review.task_closed": Message(
        "this review task was already decided", "Việc cho ý kiến này đã có quyết định trước đó."
    ),
    "review.decided": Message(
        "already decided: {status} at {when}; a decision cannot be changed",
        "Đã cho ý kiến ({status}) lúc {when}; ý kiến đã cho không thay đổi được.",
    ),
    "review.hash_too_short": Message(
        "give at least {min} characters of the version hash", "Xin nhập ít nhất {min} ký tự của mã phiên bản."
    ),
    "review.version_outdated": Message(
        "version {given} is outdated; the version under review is {current}",
        "Phiên bản {given} đã cũ; phiên bản đang được xem xét là {current}.",
    ),
    "review.stage_outcome": Message(
        "review stage {stage} is {outcome}; it does not call for {action}",
        "Vòng xem xét {stage} có kết quả “{outcome}”: chưa thể {action}.",
    ),
    "sign.version_not_approved": Message(
        "version '{given}' is not the approved version {approved}",
        "Phiên bản “{given}” không phải phiên bản đã được thông qua ({approved}).",
    ),
    "sign.format_problems": Message(
        "{count} format problem(s) under {ruleset} must be fixed before signing "
        "(banhanh plan check {plan_id}): {problems}",
        "Còn {count} lỗi thể thức theo {ruleset} phải sửa trước khi ký "
        "(xem từng lỗi bằng lệnh banhanh plan check {plan_id}).",
    ),
    "cert.unreadable": Message(
        "{source} is not a PEM or DER certificate ({detail})",
        "{source} không phải một chứng thư số (PEM hoặc DER).",
    ),
    "cert.registered_to_other": Message(
        "the certificate of {subject} is registered to {owner}",
        "Chứng thư số của {subject} đã được đăng ký cho {owner}.",
    ),
    "sign.certificate_not_registered": Message(
        "the signature was made with the certificate of {subject} (serial {serial}), which is not"
        " registered to {email}",
        "Chữ ký được tạo bằng chứng thư số của {subject} (số sê-ri {serial}), không phải chứng thư số"
        " đã đăng ký cho {email}; không có gì thay đổi.",
    ),
    # Digital signatures (documents/signatures): the key, the certificate, the PDF.
    "signature.no_tsa": Message(
        "no timestamp authority is configured (BANHANH_TSA_URL)",
        "Chưa cấu hình máy chủ cấp dấu thời gian (BANHANH_TSA_URL).",
    ),
    "signature.tsa_silent": Message(
        "the timestamp authority did not answer ({detail})", "Máy chủ cấp dấu thời gian không trả lời."
    ),
    "signature.document_timestamp_silent": Message(
        "the timestamp authority did not answer for the document timestamp ({detail}); nothing was issued",
        "Máy chủ cấp dấu thời gian không trả lời khi đóng dấu thời gian cho văn bản; văn bản chưa được"
        " phát hành.",
    ),
    "signature.document_timestamp_failed": Message(
        "the document timestamp could not be added ({detail}); nothing was issued",
        "Không đóng được dấu thời gian cho văn bản (chứng thư của máy chủ cấp dấu thời gian không kiểm"
        " tra được); văn bản chưa được phát hành.",
    ),
    "signature.no_pkcs12": Message(
        "the certificate file {path} does not exist", "Không có tệp chứng thư số {path}."
    ),
    "signature.bad_password": Message(
        "{path} cannot be opened with the password given",
        "Không mở được {path} bằng mật khẩu đã nhập.",
    ),
    "signature.no_module": Message(
        "the PKCS#11 module {path} does not exist", "Không có thư viện PKCS#11 {path} của thiết bị ký."
    ),
    "signature.wrong_pin": Message(
        "the token '{token}' refused the PIN",
        "Thiết bị ký “{token}” không nhận mã PIN; không có gì thay đổi.",
    ),
    "signature.no_pin": Message(
        "the environment variable {variable} holds no PIN", "Biến môi trường {variable} không có mã PIN."
    ),
    "signature.no_token": Message(
        "no usable token labelled '{token}' ({detail})",
        "Không tìm thấy thiết bị ký có nhãn “{token}” (đã cắm thiết bị chưa?).",
    ),
    "signature.no_key": Message(
        "the token has no key or certificate '{key}' ({detail})",
        "Thiết bị ký không có khóa hoặc chứng thư số “{key}”.",
    ),
    "signature.key_without_certificate": Message(
        "the key has no certificate", "Khóa ký không kèm chứng thư số."
    ),
    "signature.cert_expired": Message(
        "the certificate of {holder} expired on {on}", "Chứng thư số của {holder} đã hết hạn ngày {on}."
    ),
    "signature.cert_not_yet_valid": Message(
        "the certificate of {holder} is valid only from {on}",
        "Chứng thư số của {holder} chỉ có hiệu lực từ ngày {on}.",
    ),
    "signature.cert_revoked": Message(
        "the certificate of {holder} is revoked ({detail})", "Chứng thư số của {holder} đã bị thu hồi."
    ),
    "signature.cert_unchained": Message(
        "the certificate of {holder} does not chain to a trust anchor ({detail})",
        "Chứng thư số của {holder} không do tổ chức chứng thực được tin cậy cấp.",
    ),
    "signature.cert_invalid": Message(
        "the certificate of {holder} is not valid ({detail})", "Chứng thư số của {holder} không hợp lệ."
    ),
    "signature.pdf_unsignable": Message("the PDF cannot be signed ({detail})", "Không ký được tệp PDF này."),
    "signature.no_field": Message("the PDF has no text field {names}", "Tệp PDF không có ô {names} để điền."),
    "signature.no_anchor": Message(
        "no trust anchor is configured: give the roots the signatures must chain to",
        "Chưa cấu hình chứng thư gốc tin cậy (BANHANH_TRUST_ANCHORS).",
    ),
    "signature.no_anchor_in_file": Message(
        "{source} holds no certificate", "Tệp {source} không chứa chứng thư số nào."
    ),
    "signature.none": Message("the PDF carries no signature", "Tệp PDF không có chữ ký số."),
    "signature.unreadable": Message(
        "not a readable signature ({detail})", "Chữ ký số gửi lên không đọc được."
    ),
    "signature.no_certificate": Message(
        "the signature carries no signer certificate", "Chữ ký số không kèm chứng thư số của người ký."
    ),
    "signature.other_document": Message(
        "the signature does not cover the prepared approved version {version}",
        "Chữ ký số không phải chữ ký trên đúng phiên bản đã được thông qua ({version});"
        " không có gì thay đổi.",
    ),
    "signature.no_space": Message(
        "the PDF has no signature space (between the signer's title and name) to show the image in",
        "Tệp PDF không có chỗ ký (giữa chức vụ và họ tên người ký) để đặt hình ảnh chữ ký.",
    ),
    # Signature and seal images (NĐ 30 Phụ lục I): the field is "signature" or "seal".
    "image.too_big": Message(
        "the image is {size} bytes, more than {limit}; nothing changed",
        "Tệp ảnh có {size} byte, vượt quá {limit} byte; không có gì thay đổi.",
    ),
    "image.not_png": Message(
        "the image is not a PNG file; nothing changed",
        "Tệp ảnh không phải định dạng PNG; không có gì thay đổi.",
    ),
    "image.damaged": Message(
        "the PNG file is damaged ({detail}); nothing changed", "Tệp ảnh PNG bị hỏng; không có gì thay đổi."
    ),
    "image.no_transparency": Message(
        "the PNG has no transparency (no alpha channel or tRNS): it would hide the text under it;"
        " nothing changed",
        "Ảnh PNG không có nền trong suốt nên sẽ che chữ bên dưới; không có gì thay đổi.",
    ),
    "image.bad_dimensions": Message(
        "the image is {width}×{height} pixels; each side must be {low} to {high}; nothing changed",
        "Ảnh có kích thước {width}×{height} điểm ảnh; mỗi chiều phải từ {low} đến {high};"
        " không có gì thay đổi.",
    ),
    "image.no_physical_size": Message(
        "the seal's actual size is unknown: give --width-mm or a PNG with its resolution (pHYs);"
        " nothing changed",
        "Chưa biết kích thước thật của con dấu: ghi --width-mm hoặc dùng ảnh PNG có độ phân giải;"
        " không có gì thay đổi.",
    ),
    "image.seal_size": Message(
        "a seal {width_mm} mm across is not a real seal's size ({low} to {high} mm); nothing changed",
        "Con dấu rộng {width_mm} mm không đúng kích thước thật của con dấu (từ {low} đến {high} mm);"
        " không có gì thay đổi.",
    ),
    "image.which_org": Message("say which organisation (--org): {keys}", "Xin chọn cơ quan (--org): {keys}."),
    "image.changed": Message(
        "the stored image no longer matches its sha256 {sha256}: it is not shown",
        "Ảnh đã lưu không còn khớp mã băm {sha256} nên không được dùng.",
    ),
    "seal.not_configured": Message(
        "organisation {org} has no organisation certificate to issue with ([seal] or BANHANH_SEAL_PKCS12)",
        "Cơ quan {org} chưa có chứng thư số của cơ quan để phát hành.",
    ),
    "issue.by_clerk": Message(
        "this organisation's văn thư issues its documents in person",
        "Văn thư của cơ quan cấp số, phát hành văn bản; hệ thống không tự phát hành.",
    ),
    "format.no_ruleset": Message(
        "no {system} rule set is in force on {day}",
        "Không có bộ quy tắc thể thức nào có hiệu lực vào ngày {day}.",
    ),
    # Delegations.
    "delegation.bad_kind": Message(
        "'{kind}' is not one of: {kinds}", "“{kind}” không phải một loại ủy quyền ({kinds})."
    ),
    "delegation.ends_before_start": Message(
        "the delegation ends ({ends}) before it starts ({starts})",
        "Ủy quyền kết thúc ({ends}) trước khi bắt đầu ({starts}).",
    ),
    "delegation.other_org": Message(
        "{actor} does not belong to the organisation of {email}", "{actor} không thuộc cơ quan của {email}."
    ),
    "delegation.delegate_other_org": Message(
        "{delegate} is not a person of the same organisation as {delegator}",
        "{delegate} không cùng cơ quan với {delegator}.",
    ),
    "delegation.self": Message(
        "a person cannot delegate to themselves", "Không thể tự ủy quyền cho chính mình."
    ),
    "delegation.overlap": Message(
        "{email} already delegates {kind} from {starts} to {ends} (delegation {id}); one delegate at a time",
        "{email} đã ủy quyền {kind} từ {starts} đến {ends} (ủy quyền số {id}); "
        "mỗi lúc chỉ một người được ủy quyền.",
    ),
    "delegation.not_delegated": Message(
        "{principal} has not delegated {kind} on this plan to {email}",
        "{principal} chưa ủy quyền {kind} văn bản này cho {email}.",
    ),
    "delegation.not_in_force": Message(
        "{email}'s delegation for {kind} is not in force on {day} ({periods})",
        "Ủy quyền {kind} cho {email} không có hiệu lực ngày {day}.",
    ),
    "delegation.ambiguous": Message(
        "{email} acts for several people on this plan; name one",
        "{email} được nhiều người ủy quyền trên văn bản này; xin chọn một người.",
    ),
    # Sign-in and the links in emails.
    "link.invalid": Message("this link is not valid", "Đường dẫn này không hợp lệ."),
    "link.used": Message(
        "this link was already used; each link works once",
        "Đường dẫn này đã được dùng; mỗi đường dẫn chỉ dùng được một lần.",
    ),
    "link.expired": Message(
        "this link expired (links are valid for {hours} hours)",
        "Đường dẫn này đã hết hạn (mỗi đường dẫn dùng được trong {hours} giờ).",
    ),
    "link.step_done": Message(
        "this step no longer waits for you on this version (it was done or changed)",
        "Bước này không còn chờ đồng chí trên phiên bản này (đã làm xong, hoặc văn bản đã thay đổi).",
    ),
    "link.other_person": Message(
        "this link was sent to someone else; sign out first",
        "Đường dẫn này được gửi cho người khác; xin đăng xuất trước.",
    ),
    "ack.invalid": Message(
        "this acknowledgement link is not valid", "Đường dẫn xác nhận đã nhận này không hợp lệ."
    ),
    # The address book, distribution and deliveries.
    "unit.group_no_email": Message(
        "a group has no address of its own: its members are mailed",
        "Một nhóm không có địa chỉ thư riêng: thư được gửi tới từng thành viên.",
    ),
    "document.not_found": Message(
        "no rendered document {document_id}", "Không có tệp văn bản số {document_id}."
    ),
    "document.bad_format": Message(
        "'{fmt}' is not a format; use one of {formats}",
        "“{fmt}” không phải một định dạng; xin chọn: {formats}.",
    ),
    "distribute.not_rendered": Message(
        "the issued document is not rendered yet", "Tệp văn bản ban hành chưa được tạo xong."
    ),
    "distribute.wrong_state": Message(
        "only a plan being distributed or issued {what}, not one {state}",
        "Việc này chỉ làm được khi văn bản đang gửi tới nơi nhận hoặc đã ban hành; văn bản này {state}.",
    ),
    "distribute.secret": Message(
        "a secret ({secrecy}) plan is never sent by plain email",
        "Văn bản mật ({secrecy}) không bao giờ được gửi bằng thư điện tử thường.",
    ),
    "deliveries.not_recipient": Message(
        "'{email}' is not an emailed recipient of plan {plan_id}",
        "“{email}” không phải nơi nhận qua thư điện tử của văn bản {plan_id}.",
    ),
    "deliveries.not_distributing": Message(
        "plan {plan_id} is {state}: it is not being distributed, there is nothing to follow",
        "Văn bản {plan_id} {state}: không đang gửi tới nơi nhận, không có gì để theo dõi.",
    ),
    "deliveries.still_queued": Message("some recipients are still queued", "Vẫn còn nơi nhận đang chờ gửi."),
    "deliveries.none_failed": Message(
        "plan {plan_id} has no failed delivery to send again",
        "Văn bản {plan_id} không có bản gửi lỗi nào để gửi lại.",
    ),
    "listing.bad_state": Message(
        "'{value}' is not a plan state", "“{value}” không phải một trạng thái của văn bản."
    ),
    "listing.bad_sort": Message(
        "'{value}' is not a sort order; use one of {sorts}",
        "“{value}” không phải một cách sắp xếp; xin chọn: {sorts}.",
    ),
    "mail.off": Message(
        "the mail view is only on the embedded default (local catcher)",
        "Trang xem thư chỉ có ở cấu hình cài sẵn (hộp thư cục bộ).",
    ),
    "mail.not_found": Message("no such message", "Không có thư này."),
    "mail.none_to": Message(
        "the catcher holds no message to {to}", "Hộp thư cục bộ không có thư nào gửi {to}."
    ),
    "audit.bad_head": Message(
        "'{value}' is not SEQ:HASH (at least 16 hex digits of the head)",
        "“{value}” không có dạng SEQ:HASH (ít nhất 16 chữ số hệ mười sáu của đầu chuỗi).",
    ),
    "audit.org_needed": Message(
        "give the organisation whose chain --head belongs to",
        "Xin cho biết cơ quan có chuỗi nhật ký của --head.",
    ),
    "audit.unknown_org": Message(
        "{source} anchors the chain of '{key}', not in this database",
        "{source} neo chuỗi nhật ký của “{key}”, cơ quan không có trong cơ sở dữ liệu này.",
    ),
    # Files people give: imports, uploads, outputs.
    "file.missing": Message("{path}: no such file", "Không có tệp {path}."),
    "file.is_directory": Message(
        "{path} is a directory, not a file", "{path} là một thư mục, không phải một tệp."
    ),
    "file.unreadable": Message("{path} cannot be read ({error})", "Không đọc được tệp {path} ({error})."),
    "file.unwritable": Message("{path} cannot be written ({error})", "Không ghi được tệp {path} ({error})."),
    "import.too_large": Message("{name} is larger than {limit}", "{name} lớn hơn {limit}."),
    "toml.invalid": Message(
        "{path} is not valid TOML: {error}", "{path} không phải tệp TOML hợp lệ: {error}"
    ),
    "toml.too_deep": Message(
        "{path} nests tables or arrays too deeply", "{path} lồng bảng hoặc mảng quá nhiều tầng."
    ),
    "import.unknown_type": Message(
        "unknown file type '{suffix}': give a .txt or .docx file",
        "Không nhận loại tệp “{suffix}”: xin dùng tệp .txt hoặc .docx.",
    ),
    "output.binary": Message(
        "{fmt} is binary: give --out FILE or redirect the output",
        "{fmt} là định dạng nhị phân: xin dùng --out TỆP hoặc chuyển hướng đầu ra.",
    ),
    "import.larger_than": Message("the file is larger than {limit}", "Tệp lớn hơn {limit}."),
    "import.text_too_large": Message("the text is larger than {limit}", "Văn bản dài quá {limit}."),
    "import.file": Message("{name}: {cause}", "Tệp “{name}”: {cause}"),
    "import.not_text": Message(
        "{what}, not plain text: give a .docx or a UTF-8 text file",
        "Tệp này là {what}, không phải văn bản thuần: xin dùng tệp .docx hoặc tệp văn bản UTF-8.",
    ),
    "import.utf16_bad": Message(
        "starts as UTF-16 but byte {byte} is not UTF-16",
        "Tệp bắt đầu theo UTF-16 nhưng byte {byte} không phải UTF-16.",
    ),
    "import.utf16_no_bom": Message(
        "looks like UTF-16 text without a byte-order mark: save the file as UTF-8",
        "Tệp có vẻ là UTF-16 không có dấu thứ tự byte: xin lưu lại dưới dạng UTF-8.",
    ),
    "import.not_utf8": Message(
        "line {line}: byte {byte} (0x{value}) is not UTF-8; save the file as UTF-8 (Unicode) text",
        "Dòng {line}: byte {byte} (0x{value}) không phải UTF-8; "
        "xin lưu tệp dưới dạng văn bản UTF-8 (Unicode).",
    ),
    "import.binary": Message(
        "line {line}: a NUL byte: this is a binary file, not text",
        "Dòng {line}: có byte NUL: đây là tệp nhị phân, không phải văn bản.",
    ),
    "import.docx_parts": Message(
        "{count} parts in the .docx; at most {limit} are read",
        "Tệp .docx có {count} phần; chỉ đọc tối đa {limit}.",
    ),
    "import.zip_bomb": Message(
        "unzipped it would be {total}; at most {limit}", "Giải nén ra sẽ là {total}; tối đa {limit}."
    ),
    "import.not_docx": Message(
        "not a Word .docx file ({detail})", "Không phải tệp Word .docx, hoặc tệp đã hỏng."
    ),
    "import.part_too_large": Message(
        "part {part} is {total} unzipped; at most {limit}",
        "Phần {part} giải nén ra là {total}; tối đa {limit}.",
    ),
    "import.part_lies": Message(
        "part {part} is larger than declared", "Phần {part} lớn hơn kích thước đã khai."
    ),
    "import.dtd": Message(
        "part {part} declares a DTD or entities, which Word never writes",
        "Phần {part} khai báo DTD hoặc thực thể, điều Word không bao giờ viết.",
    ),
    "import.too_many_paragraphs": Message(
        "{count} paragraphs; a plan has at most {limit}", "Có {count} đoạn; một kế hoạch có tối đa {limit}."
    ),
    "import.too_many_lines": Message(
        "{count} lines; a plan has at most {limit}", "Có {count} dòng; một kế hoạch có tối đa {limit}."
    ),
    "recipients.needs_actor": Message(
        "is needed to change the Nơi nhận list", "Cần có để sửa danh sách nơi nhận."
    ),
    "recipients.line_or_resolve": Message(
        "give the lines (--line) or map the current ones again (--resolve), not both",
        "Nhập các dòng (--line) hoặc đối chiếu lại các dòng hiện có (--resolve), không cả hai.",
    ),
    "recipients.none": Message(
        "the list is empty: a plan goes to at least one recipient",
        "Danh sách trống: văn bản phải gửi tới ít nhất một nơi nhận.",
    ),
    "recipients.empty_entry": Message(
        "the line has a dash but no recipient", "Dòng có gạch đầu dòng nhưng không có nơi nhận."
    ),
    "recipients.archive_not_last": Message(
        "the archive line ('Lưu …') comes once, last",
        "Dòng lưu (“Lưu …”) chỉ có một và đứng cuối danh sách.",
    ),
    "import.empty": Message("line 1: the text is empty", "Dòng 1: văn bản trống."),
    "import.no_type_line": Message(
        "line {line}: no type line ({type_name}) and no trích yếu 'V/v …' under the number found",
        "Dòng {line}: không thấy dòng tên loại ({type_name}) hay trích yếu “V/v …” dưới số, ký hiệu.",
    ),
    "import.no_title": Message(
        "line {line}: '{type_name}' is not followed by a title",
        "Dòng {line}: sau “{type_name}” không có trích yếu.",
    ),
    "import.no_body": Message(
        "line {line}: the plan has no body text", "Dòng {line}: kế hoạch không có nội dung."
    ),
    # edXML exchange (exchange/).
    "exchange.bad_agency_id": Message(
        "'{value}' is not an agency identifier of QĐ 20/2020/QĐ-TTg (such as 000.00.00.H42)",
        "“{value}” không phải mã định danh theo QĐ 20/2020/QĐ-TTg (dạng 000.00.00.H42).",
    ),
    "exchange.channel_needs_agency_id": Message(
        "the edxml channel needs the unit's agency_id",
        "Gửi qua trục liên thông (edxml) cần mã định danh (agency_id) của đơn vị.",
    ),
    "exchange.not_issued": Message(
        "plan {plan_id} is {state}: only an issued plan can be exchanged",
        "Văn bản số {plan_id} đang ở trạng thái {state}: chỉ văn bản đã ban hành mới gửi liên thông được.",
    ),
    "exchange.secret": Message(
        "plan {plan_id} is secret ({secrecy}): it never leaves by the exchange axis",
        "Văn bản số {plan_id} là văn bản mật ({secrecy}): không gửi qua trục liên thông.",
    ),
    "exchange.org_no_agency_id": Message(
        "{org} has no agency_id in its [organisation] table",
        "{org} chưa có mã định danh (agency_id) trong bảng [organisation].",
    ),
    "exchange.unit_no_agency_id": Message(
        "unit '{unit}' ({name}) has no agency_id: it cannot receive by the exchange axis",
        "Đơn vị “{name}” ({unit}) chưa có mã định danh (agency_id): không nhận được qua trục liên thông.",
    ),
    "exchange.unknown_unit": Message(
        "'{unit}' is not a recipient of plan {plan_id}",
        "“{unit}” không có trong nơi nhận của văn bản số {plan_id}.",
    ),
    "exchange.no_receivers": Message(
        "plan {plan_id} has no recipient unit to send to",
        "Văn bản số {plan_id} không có đơn vị nhận nào để gửi.",
    ),
    "exchange.no_seal": Message(
        "no organisation certificate: set [seal] in the organisation's config to sign the package",
        "Chưa có chứng thư số của cơ quan: cần khai báo [seal] để ký gói tin.",
    ),
    "exchange.no_pdf": Message(
        "plan {plan_id} has no issued PDF", "Văn bản số {plan_id} không có tệp PDF đã ban hành."
    ),
    "exchange.key_not_rsa": Message(
        "{path} holds no RSA key and certificate", "Tệp {path} không chứa khóa RSA và chứng thư số."
    ),
    "exchange.not_xml": Message("not well-formed XML ({detail})", "Không phải tệp XML hợp lệ."),
    "exchange.doctype": Message(
        "a DOCTYPE is refused in an exchange message", "Không nhận gói tin có khai báo DOCTYPE."
    ),
    "exchange.not_package": Message(
        "the root element is {root}, not an edXML package",
        "Phần tử gốc là {root}, không phải gói tin edXML.",
    ),
    "exchange.not_status": Message(
        "the root element is {root}, not an edXML status message",
        "Phần tử gốc là {root}, không phải thông điệp trạng thái edXML.",
    ),
    "exchange.missing_element": Message(
        "the element {element} is missing", "Thiếu phần tử {element} trong gói tin."
    ),
    "exchange.bad_value": Message(
        "{element} holds '{value}', which is not valid there",
        "Phần tử {element} có giá trị “{value}” không hợp lệ.",
    ),
    "exchange.missing_attachment": Message(
        "the manifest names {content_id} but no attachment carries it",
        "Danh mục nêu tệp {content_id} nhưng gói tin không kèm tệp đó.",
    ),
    "exchange.bad_attachment": Message(
        "attachment {content_id} is not one file zipped (or is too large unzipped)",
        "Tệp đính kèm {content_id} không phải một tệp nén hợp lệ (hoặc quá lớn khi giải nén).",
    ),
    "exchange.document_id_mismatch": Message(
        "DocumentId is '{written}' but its fields make '{expected}'",
        "Mã văn bản (DocumentId) là “{written}”, không khớp với “{expected}”.",
    ),
    "exchange.bad_signature": Message(
        "the XML signature does not verify ({detail})",
        "Chữ ký số của gói tin không hợp lệ: gói tin đã bị thay đổi hoặc không do cơ quan này ký.",
    ),
    # Tracked work after issuance (models/tracking.py, models/services/tracking*.py).
    "tracking.not_list": Message(
        "must be a list of assignments (objects)", "Phải là một danh sách các nhiệm vụ (đối tượng)."
    ),
    "tracking.unit_shape": Message(
        "a unit is a code, a name, or an object with name and unit_code",
        "Đơn vị phải là mã, tên, hoặc một đối tượng có name và unit_code.",
    ),
    "tracking.unknown_unit": Message(
        "'{code_}' is not a unit of the address book", "“{code_}” không phải một đơn vị trong sổ địa chỉ."
    ),
    "tracking.pick_cadence": Message(
        "'{value}' is not a period to report by; pick one of: {choices}",
        "“{value}” không phải kỳ báo cáo; chọn một trong: {choices}.",
    ),
    "tracking.to_confirm": Message(
        "units still to confirm in the assignments: {names}",
        "Còn đơn vị chưa xác nhận trong phân công nhiệm vụ: {names}.",
    ),
    "tracking.comment_required": Message("a comment or reason is required", "Cần ghi ý kiến hoặc lý do."),
    "tracking.not_yet_due": Message("the period is due on {due}", "Kỳ báo cáo đến hạn ngày {due}."),
    "tracking.extension_pending": Message(
        "an extension to {until} is already asked for", "Đã có đề nghị gia hạn đến ngày {until} đang chờ."
    ),
    "tracking.extension_not_later": Message(
        "the new date must be after the due date {due}", "Ngày mới phải sau hạn hiện tại {due}."
    ),
    "tracking.no_extension_asked": Message(
        "no extension is asked for", "Không có đề nghị gia hạn nào đang chờ."
    ),
    "tracking.wrong_state": Message(
        "a period that is {period_state} does not allow {period_action}",
        "Kỳ báo cáo đang ở trạng thái {period_state}, không thể {period_action}.",
    ),
    "tracking.not_party": Message(
        "only the {party} may {period_action} this period", "Chỉ {party} được {period_action} kỳ báo cáo này."
    ),
    "tracking.period_not_found": Message(
        "no tracked period {period_id}", "Không có kỳ báo cáo số {period_id}."
    ),
    "tracking.unit_not_found": Message(
        "no unit '{unit}' in the address book", "Không có đơn vị “{unit}” trong sổ địa chỉ."
    ),
    "tracking.not_issued": Message(
        "plan {plan_id} is not issued yet", "Văn bản {plan_id} chưa được ban hành."
    ),
    "tracking.changed_meanwhile": Message(
        "the period was changed meanwhile; look at it again",
        "Kỳ báo cáo vừa được người khác cập nhật; xin xem lại.",
    ),
    "tracking.file_too_large": Message(
        "{name} is {size} bytes; at most {limit}", "Tệp {name} có {size} byte; tối đa {limit}."
    ),
    "tracking.not_follower": Message(
        "{actor} does not follow this plan's work", "{actor} không phải đơn vị, người theo dõi kế hoạch này."
    ),
    "tracking.summary_exists": Message(
        "the summary report of this milestone is plan {plan_id}",
        "Báo cáo của mốc này đã được lập (văn bản {plan_id}).",
    ),
    "tracking.nothing_accepted": Message(
        "no accepted report to put in the summary yet", "Chưa có báo cáo nào được chấp nhận để tổng hợp."
    ),
    "tracking.file_not_found": Message("no report file {file_id}", "Không có tệp báo cáo số {file_id}."),
    "tracking.not_this_link": Message(
        "period {period_id} is not one this link reports for",
        "Kỳ báo cáo {period_id} không thuộc nhiệm vụ của đường dẫn này.",
    ),
}

# Vietnamese names of the values that errors carry, by the param that holds them.
_STATES = {
    "draft": "dự thảo",
    "in_review": "đang xem xét",
    "changes_requested": "cần chỉnh sửa",
    "approved": "đã được thông qua, chờ ký",
    "awaiting_issuance": "đã ký, chờ văn thư cấp số, phát hành",
    "signed": "đã ký",
    "distributing": "đang gửi tới nơi nhận",
    "issued": "đã ban hành",
    "rejected": "không được thông qua",
    "withdrawn": "đã rút lại",
    "recall_requested": "đã ban hành, đang chờ xác nhận thu hồi",
    "recalled": "đã thu hồi",
    "superseded": "đã bị thay thế",
}
_ROLES = {
    "secretariat": "Văn phòng",
    "reviewer": "người cho ý kiến",
    "signer": "người ký",
    "clerk": "văn thư",
    "system": "hệ thống",
}
_ACTIONS = {
    "edit": "chỉnh sửa",
    "submit": "trình xem xét",
    "approve": "đồng ý",
    "request_changes": "đề nghị chỉnh sửa",
    "reject": "không đồng ý",
    "open_stage": "mở vòng xem xét tiếp theo",
    "complete_review": "kết thúc xem xét",
    "fail_review": "dừng xem xét",
    "sign": "ký ban hành",
    "issue": "cấp số, phát hành",
    "distribute": "gửi tới nơi nhận",
    "complete_distribution": "hoàn tất việc gửi",
    "withdraw": "rút lại",
    "request_recall": "đề nghị thu hồi",
    "confirm_recall": "xác nhận thu hồi",
    "cancel_recall": "hủy đề nghị thu hồi",
    "supersede": "đánh dấu bị thay thế",
}
_STATUSES = {
    "open": "đang chờ",
    "approved": "đồng ý",
    "changes_requested": "đề nghị chỉnh sửa",
    "rejected": "không đồng ý",
    "cancelled": "đã hủy",
}
_KINDS = {"review": "cho ý kiến", "sign": "ký"}
_NOT_TEXT = {  # documents/intake.py names them
    "a zip file (a Word .docx named otherwise?)": "một tệp nén zip (tệp Word .docx bị đổi tên?)",
    "an old Word .doc (save it as .docx)": "một tệp Word .doc cũ (xin lưu lại dưới dạng .docx)",
    "a PDF": "một tệp PDF",
}
VI_VALUES: dict[str, dict[str, str]] = {
    "state": _STATES,
    "states": _STATES,
    "role": _ROLES,
    "roles": _ROLES,
    "action": _ACTIONS,
    "status": _STATUSES,
    "outcome": _STATUSES,
    "kind": _KINDS,
    "when": {"earlier": "trước đó"},
    "link": {"replaces": "thay thế", "corrects": "đính chính"},
    "what": _NOT_TEXT,
    "period_state": {
        "open": "đang mở",
        "submitted": "đã nộp báo cáo",
        "accepted": "đã được chấp nhận",
        "returned": "bị trả lại",
        "overdue": "quá hạn",
        "extended": "được gia hạn",
    },
    "period_action": {
        "submit": "nộp báo cáo",
        "accept": "chấp nhận báo cáo",
        "return": "trả lại báo cáo",
        "fall_due": "chuyển sang quá hạn",
        "ask_extension": "đề nghị gia hạn",
        "grant": "đồng ý gia hạn",
        "refuse": "không đồng ý gia hạn",
    },
    "party": {
        "lead": "đơn vị chủ trì",
        "follower": "đơn vị theo dõi",
        "grantor": "người được giao quyết định gia hạn",
        "system": "hệ thống",
    },
}


class _Params(dict[str, str]):
    """A missing param shows as '…' rather than failing the error that reports another failure."""

    def __missing__(self, key: str) -> str:
        return "…"


def _text(key: str, value: Any, vi: bool) -> str:
    names = VI_VALUES.get(key, {}) if vi else {}
    if isinstance(value, list | tuple | set | frozenset):
        words = [names.get(str(v), str(v)) for v in value]
        return ", ".join(words) or ("không có" if vi else "none")
    if isinstance(value, BanHanhError):  # an error quoted in another one
        return value.message if vi else value.reason
    return names.get(str(value), str(value))


def _format(code: str, params: Mapping[str, Any], vi: bool) -> str:
    entry = MESSAGES.get(code, MESSAGES["error"])
    template = entry.vi if vi else entry.en
    return template.format_map(_Params({k: _text(k, v, vi) for k, v in params.items()}))


def english(code: str, params: Mapping[str, Any]) -> str:
    return _format(code, params, vi=False)


def vietnamese(code: str, params: Mapping[str, Any]) -> str:
    return _format(code, params, vi=True)
