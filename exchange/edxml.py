"""An edXML package: `Package` to XML and back (pure apart from base64).

The layout is the Government Office SDK's sample (docs/edxml.md): root `edXML` → `edXMLEnvelope` →
`edXMLHeader` (MessageHeader, TraceHeaderList, the XML signature) and `edXMLBody` (a manifest of
`cid:` references); the files themselves, base64, in `AttachmentEncoded` after the envelope, so
the one enveloped signature covers them too.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile

from lxml import etree

from exchange.package import (
    Attachment,
    Business,
    Organ,
    Package,
    Priority,
    Replacement,
    Signer,
    Staff,
    Trace,
)
from exchange.xml import (
    DATE,
    DS,
    NS,
    PREFIX,
    TIMESTAMP,
    Element,
    add,
    child,
    number,
    parse_bytes,
    q,
    text,
    texts,
    to_date,
    to_timestamp,
)
from models.errors import Invalid

WHAT = "package"
PLACEHOLDER = "placeholder"  # signxml replaces the ds:Signature carrying this Id
MAX_ATTACHMENT = 64 * 1024 * 1024  # unzipped: a zip bomb stops here
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same file zips to the same bytes


def pack(name: str, content: bytes) -> bytes:
    """The file zipped alone, as the SDK's packages carry every attachment (docs/edxml.md)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def unpack(data: bytes, content_id: str) -> bytes:
    """The file an attachment carries: the one entry of its zip, or the bytes as they are when not zipped."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) != 1 or entries[0].file_size > MAX_ATTACHMENT:
                raise Invalid(WHAT, code="exchange.bad_attachment", content_id=content_id)
            with archive.open(entries[0]) as file:
                content = file.read(MAX_ATTACHMENT + 1)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise Invalid(WHAT, code="exchange.bad_attachment", content_id=content_id) from None
    if len(content) > MAX_ATTACHMENT:  # the size its header gave was false
        raise Invalid(WHAT, code="exchange.bad_attachment", content_id=content_id)
    return content


def _organ(parent: Element, tag: str, organ: Organ) -> None:
    node = add(parent, tag)
    add(node, "OrganId", organ.organ_id)
    add(node, "OrganizationInCharge", organ.in_charge)
    add(node, "OrganName", organ.name)
    add(node, "OrganAdd", organ.address)
    add(node, "Email", organ.email)
    add(node, "Telephone", organ.telephone)
    add(node, "Fax", organ.fax)
    add(node, "Website", organ.website)


def _staff(parent: Element, staff: Staff) -> None:
    node = add(parent, "StaffInfo")
    add(node, "Department", staff.department)
    add(node, "Staff", staff.staff)
    add(node, "Email", staff.email)
    add(node, "Mobile", staff.mobile)


def build(package: Package) -> Element:
    """The package's XML, unsigned: a `ds:Signature` placeholder ends the header (`signature.sign`)."""
    root: Element = etree.Element(q("edXML"), nsmap={None: NS})
    envelope = etree.SubElement(root, q("edXMLEnvelope"), nsmap={PREFIX: NS})
    header = add(envelope, "edXMLHeader")
    message = add(header, "MessageHeader")
    _organ(message, "From", package.sender)
    for receiver in package.receivers:
        _organ(message, "To", receiver)
    add(message, "DocumentId", package.document_id)
    code = add(message, "Code")
    add(code, "CodeNumber", package.code_number)
    add(code, "CodeNotation", package.code_notation)
    promulgation = add(message, "PromulgationInfo")
    add(promulgation, "Place", package.place)
    add(promulgation, "PromulgationDate", package.promulgation_date.strftime(DATE))
    doc_type = add(message, "DocumentType")
    add(doc_type, "Type", str(package.type_code))
    add(doc_type, "TypeDetail", "0")
    add(doc_type, "TypeName", package.type_name)
    add(message, "Subject", package.subject)
    add(message, "Content", package.content)
    signer = add(message, "SignerInfo")
    add(signer, "Competence", package.signer.competence)
    add(signer, "Position", package.signer.position)
    add(signer, "FullName", package.signer.full_name)
    if package.due_date is not None:
        add(message, "DueDate", package.due_date.strftime(DATE))
    other = add(message, "OtherInfo")
    add(other, "Priority", str(int(package.priority)))
    add(other, "SphereOfPromulgation", package.sphere)
    add(other, "TyperNotation", package.typer_notation)
    add(other, "PromulgationAmount", str(package.promulgation_amount))
    add(other, "PageAmount", str(package.page_amount))
    add(message, "SteeringType", str(package.steering_type))
    places = add(message, "ToPlaces")
    for place in package.to_places:
        add(places, "Place", place)

    traces = add(header, "TraceHeaderList")
    for trace in package.traces:
        node = add(traces, "TraceHeader")
        add(node, "OrganId", trace.organ_id)
        add(node, "Timestamp", trace.timestamp.strftime(TIMESTAMP))
    business = add(traces, "Bussiness")  # sic: the standard's spelling
    add(business, "DocumentId", package.business_document_id)
    add(business, "BussinessDocType", str(int(package.business)))
    add(business, "BussinessDocReason", package.business_reason)
    add(business, "Paper", "0")  # no paper copy follows
    _staff(business, package.staff)
    if package.replaces:
        replacements = add(business, "ReplacementInfoList")
        for replaced in package.replaces:
            info = add(replacements, "ReplacementInfo")
            add(info, "DocumentId", replaced.document_id)
            organs = add(info, "OrganIdList")
            for organ_id in replaced.organ_ids:
                add(organs, "OrganId", organ_id)
    etree.SubElement(header, q("Signature", DS), Id=PLACEHOLDER, nsmap={"ds": DS})

    body = add(envelope, "edXMLBody")
    manifest = add(body, "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = etree.SubElement(root, q("AttachmentEncoded"))
    for attachment in package.attachments:
        reference = add(manifest, "Reference")
        add(reference, "ContentId", attachment.content_id)
        add(reference, "ContentType", attachment.content_type)
        add(reference, "Description", attachment.description)
        add(reference, "AttachmentName", attachment.name)
        node = add(encoded, "Attachment")
        add(node, "ContentId", attachment.content_id)
        add(node, "AttachmentName", attachment.name)
        add(node, "Description", attachment.description)
        add(node, "ContentType", attachment.content_type)
        data = etree.SubElement(node, q("ContentTransferEncoded"), nsmap={PREFIX: NS})
        data.text = base64.b64encode(pack(attachment.name, attachment.content)).decode("ascii")
    return root


def _read_organ(node: Element) -> Organ:
    return Organ(
        organ_id=text(node, "OrganId", WHAT),
        name=text(node, "OrganName", WHAT),
        in_charge=text(node, "OrganizationInCharge", WHAT, required=False),
        address=text(node, "OrganAdd", WHAT, required=False),
        email=text(node, "Email", WHAT, required=False),
        telephone=text(node, "Telephone", WHAT, required=False),
        fax=text(node, "Fax", WHAT, required=False),
        website=text(node, "Website", WHAT, required=False),
    )


def _choice(kind: type[Business] | type[Priority], value: str, element: str) -> int:
    code = number(value, element, WHAT)
    if code not in {int(m) for m in kind}:
        raise Invalid(WHAT, code="exchange.bad_value", element=element, value=value)
    return code


def _attachments(root: Element) -> tuple[Attachment, ...]:
    references = child(root, "edXMLEnvelope/edXMLBody/edXMLManifest", WHAT).findall(q("Reference"))
    files = {
        text(a, "ContentId", WHAT): a for a in root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}")
    }
    out = []
    for reference in references:
        content_id = text(reference, "ContentId", WHAT)
        encoded = files.get(content_id)
        if encoded is None:  # a manifest entry without its file
            raise Invalid(WHAT, code="exchange.missing_attachment", content_id=content_id)
        try:
            data = base64.b64decode(text(encoded, "ContentTransferEncoded", WHAT), validate=True)
        except binascii.Error:
            raise Invalid(
                WHAT, code="exchange.bad_value", element="ContentTransferEncoded", value="…"
            ) from None
        content = unpack(data, content_id)
        out.append(
            Attachment(
                content_id=content_id,
                name=text(reference, "AttachmentName", WHAT),
                content_type=text(reference, "ContentType", WHAT),
                description=text(reference, "Description", WHAT, required=False),
                content=content,
            )
        )
    return tuple(out)


def parse(data: bytes) -> Package:
    """The package a file holds. The signature is checked apart (`signature.verify`)."""
    root = parse_bytes(data, WHAT)
    if root.tag != q("edXML"):
        raise Invalid(WHAT, code="exchange.not_package", root=str(root.tag))
    header = child(root, "edXMLEnvelope/edXMLHeader", WHAT)
    message = child(header, "MessageHeader", WHAT)
    signer = child(message, "SignerInfo", WHAT)
    business = child(header, "TraceHeaderList/Bussiness", WHAT)
    due = text(message, "DueDate", WHAT, required=False)
    package = Package(
        sender=_read_organ(child(message, "From", WHAT)),
        receivers=tuple(_read_organ(n) for n in message.findall(q("To"))),
        code_number=text(message, "Code/CodeNumber", WHAT),
        code_notation=text(message, "Code/CodeNotation", WHAT),
        place=text(message, "PromulgationInfo/Place", WHAT),
        promulgation_date=to_date(
            text(message, "PromulgationInfo/PromulgationDate", WHAT), "PromulgationDate", WHAT
        ),
        type_code=number(text(message, "DocumentType/Type", WHAT), "Type", WHAT),
        type_name=text(message, "DocumentType/TypeName", WHAT),
        subject=text(message, "Subject", WHAT),
        content=text(message, "Content", WHAT, required=False),
        signer=Signer(
            competence=text(signer, "Competence", WHAT, required=False),
            position=text(signer, "Position", WHAT, required=False),
            full_name=text(signer, "FullName", WHAT),
        ),
        due_date=to_date(due, "DueDate", WHAT) if due else None,
        to_places=texts(message, "ToPlaces/Place"),
        priority=Priority(_choice(Priority, text(message, "OtherInfo/Priority", WHAT), "Priority")),
        sphere=text(message, "OtherInfo/SphereOfPromulgation", WHAT, required=False),
        typer_notation=text(message, "OtherInfo/TyperNotation", WHAT, required=False),
        promulgation_amount=number(
            text(message, "OtherInfo/PromulgationAmount", WHAT), "PromulgationAmount", WHAT
        ),
        page_amount=number(text(message, "OtherInfo/PageAmount", WHAT), "PageAmount", WHAT),
        steering_type=number(text(message, "SteeringType", WHAT), "SteeringType", WHAT),
        traces=tuple(
            Trace(
                organ_id=text(n, "OrganId", WHAT),
                timestamp=to_timestamp(text(n, "Timestamp", WHAT), "Timestamp", WHAT),
            )
            for n in child(header, "TraceHeaderList", WHAT).findall(q("TraceHeader"))
        ),
        business=Business(_choice(Business, text(business, "BussinessDocType", WHAT), "BussinessDocType")),
        business_reason=text(business, "BussinessDocReason", WHAT, required=False),
        business_document_id=text(business, "DocumentId", WHAT, required=False),
        staff=Staff(
            department=text(business, "StaffInfo/Department", WHAT, required=False),
            staff=text(business, "StaffInfo/Staff", WHAT, required=False),
            mobile=text(business, "StaffInfo/Mobile", WHAT, required=False),
            email=text(business, "StaffInfo/Email", WHAT, required=False),
        ),
        attachments=_attachments(root),
        replaces=tuple(
            Replacement(text(info, "DocumentId", WHAT), texts(info, "OrganIdList/OrganId"))
            for info in business.findall(f"{q('ReplacementInfoList')}/{q('ReplacementInfo')}")
        ),
    )
    written = text(message, "DocumentId", WHAT)
    if written != package.document_id:  # the identity must agree with the fields it is made of
        raise Invalid(
            WHAT, code="exchange.document_id_mismatch", written=written, expected=package.document_id
        )
    return package
