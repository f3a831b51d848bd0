"""The packages that act on a document already sent (pure): a recall, an update, a replacement.

TraceHeaderList/Bussiness says what a package does (docs/edxml.md): BussinessDocType 1 recalls
the document `Bussiness/DocumentId` names, 2 updates it, 3 replaces the documents its
ReplacementInfoList names. Receivers answer a recall or an update with 15 (agree) or 16 (refuse).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from exchange.package import Business, Package, Replacement, Staff, Trace


def recall(sent: Package, reason: str, at: datetime, staff: Staff) -> Package:
    """Ask the receivers of `sent` to take it back (thu hồi): its header, no file, BussinessDocType 1."""
    return replace(
        sent,
        business=Business.RECALL,
        business_reason=reason,
        business_document_id=sent.document_id,
        traces=(Trace(sent.sender.organ_id, at),),
        staff=staff,
        attachments=(),
        replaces=(),
    )


def update(sent: Package, reason: str, at: datetime, staff: Staff) -> Package:
    """The same document sent again with changed information (BussinessDocType 2)."""
    return replace(
        sent,
        business=Business.UPDATE,
        business_reason=reason,
        business_document_id=sent.document_id,
        traces=(Trace(sent.sender.organ_id, at),),
        staff=staff,
    )


def replacement(new: Package, old: Package, reason: str) -> Package:
    """`new` as the document that replaces `old` for `old`'s receivers (BussinessDocType 3)."""
    return replace(
        new,
        business=Business.REPLACE,
        business_reason=reason,
        business_document_id=old.document_id,
        replaces=(Replacement(old.document_id, tuple(r.organ_id for r in old.receivers)),),
    )
