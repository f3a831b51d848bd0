"""Reading and writing XML for the exchange: namespaces, dates as the axis writes them, a safe parser."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeAlias

from lxml import etree

from models.errors import Invalid

# The namespace of QCVN 102:2016 as the Government Office's SDK sample writes it (docs/edxml.md).
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
DS = "http://www.w3.org/2000/09/xmldsig#"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"

DATE = "%Y/%m/%d"
TIMESTAMP = "%Y/%m/%d %H:%M:%S"
STATUS_TIMESTAMP = "%d/%m/%Y %H:%M:%S"  # the status sender in docs/edxml.md writes the day first

Element: TypeAlias = Any  # lxml ships no type information


def q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def add(parent: Element, tag: str, text: str | None = None, ns: str = NS) -> Element:
    child: Element = etree.SubElement(parent, q(tag, ns))
    if text is not None:
        child.text = text
    return child


def parse_bytes(data: bytes, what: str) -> Element:
    """The root of a package or status; never resolves entities, loads a DTD or reaches the network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        raise Invalid(what, code="exchange.not_xml", detail=str(error)) from error
    if tree.docinfo.doctype:
        raise Invalid(what, code="exchange.doctype")
    root: Element = tree.getroot()
    return root


def child(parent: Element, path: str, what: str) -> Element:
    """The one element at `path` (tags separated by '/', all in the edXML namespace)."""
    node = parent.find("/".join(q(t) for t in path.split("/")))
    if node is None:
        raise Invalid(what, code="exchange.missing_element", element=path)
    return node


def text(parent: Element, path: str, what: str, required: bool = True) -> str:
    node = parent.find("/".join(q(t) for t in path.split("/")))
    if node is None:
        if required:
            raise Invalid(what, code="exchange.missing_element", element=path)
        return ""
    return str(node.text or "").strip()


def texts(parent: Element, path: str) -> tuple[str, ...]:
    return tuple(str(n.text or "").strip() for n in parent.findall("/".join(q(t) for t in path.split("/"))))


def number(value: str, element: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Invalid(what, code="exchange.bad_value", element=element, value=value) from None


def to_date(value: str, element: str, what: str) -> date:
    for fmt in (DATE, "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise Invalid(what, code="exchange.bad_value", element=element, value=value)


def to_timestamp(value: str, element: str, what: str) -> datetime:
    for fmt in (TIMESTAMP, STATUS_TIMESTAMP):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise Invalid(what, code="exchange.bad_value", element=element, value=value)
