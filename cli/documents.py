"""`banhanh document …`: read a plan from a .txt or .docx file, print it or render it; verify the
digital signatures of a PDF.

No database: the header of a rendered draft comes from an organisation config (the TOML that
`banhanh directory load` reads) when one is given. The JSON of `parse --json` is described in
docs/document-json.md.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import console, emit, err_console, import_limits, note_text, read_toml, reported, settings
from models.errors import Invalid

if TYPE_CHECKING:  # python-docx, Jinja2 and the renderer load when a command needs them
    from documents.plain_text import ParsedText
    from documents.render import DocumentView

app = typer.Typer(
    help="Parse and render plan documents from files (.txt like the seeds, or .docx), verify a signed PDF; "
    "no database.",
    no_args_is_help=True,
)

PATH = Annotated[Path, typer.Argument(help="the plan: a .txt file like the seeds or a Word .docx")]


class Format(StrEnum):
    pdf = "pdf"
    html = "html"
    docx = "docx"
    text = "text"


_BINARY = {Format.pdf, Format.docx}


def read_document(path: Path) -> ParsedText:
    """Parse the file by its extension; every failure is `Invalid` naming the file."""
    from documents.intake import parse_file, read_bytes

    suffix = path.suffix.lower()
    if suffix not in {".txt", ".docx"}:
        raise Invalid(str(path), code="import.unknown_type", suffix=suffix or "(none)")
    limits = import_limits()
    data = read_bytes(path, str(path), limits.max_docx_bytes if suffix == ".docx" else limits.max_text_bytes)
    return parse_file(data, str(path), limits)


def draft_json(parsed: ParsedText) -> dict[str, Any]:
    """The structured draft as docs/document-json.md describes it."""
    draft = parsed.draft
    return {
        "doc_type": draft.doc_type,
        "header": asdict(parsed.header),
        "title": draft.title,
        "summary_lines": list(draft.summary_lines),
        "body": [paragraph for paragraph in draft.body.split("\n\n") if paragraph],
        "footnotes": list(draft.footnotes),
        "recipients": [{"text": text, "annotation": note} for text, note in draft.recipient_lines],
        "signature": {
            "lines": list(draft.sign_lines),
            "form": draft.sign_form,
            "collective": draft.sign_collective,
            "title": draft.sign_title,
            "name": draft.signer_name,
        },
        "notes": [str(n) for n in parsed.notes],
        "note_codes": [n.as_json() for n in parsed.notes],
    }


def org_header(path: Path) -> dict[str, Any]:
    """The header fields of `DocumentView` from an organisation config's [organisation] table."""
    from models.services.directory import check_keys  # the same keys `directory load` accepts

    config = read_toml(path, "--org-config")
    check_keys(config)
    org = config.get("organisation")
    if not isinstance(org, dict):
        raise Invalid("--org-config", code="config.no_organisation_in", path=path)
    fields = {key: org.get(key, "") for key in ("name", "superior", "code", "place", "system")}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise Invalid("--org-config", code="config.key_not_text", key=f"organisation.{key}")
    if fields["system"] not in {"party", "state"}:
        raise Invalid("--org-config", code="config.bad_system_in", value=fields["system"])
    if not fields["name"]:
        raise Invalid("--org-config", code="config.no_name")
    return {
        "org_name": fields["name"],
        "org_superior": fields["superior"],
        "org_code": fields["code"],
        "place": fields["place"],
        "party": fields["system"] == "party",
    }


def render_view(view: DocumentView, fmt: Format) -> bytes:
    if fmt is Format.pdf:
        from documents.render import render_pdf  # WeasyPrint is slow to import: only when asked

        return render_pdf(view)
    if fmt is Format.docx:
        from documents.docx_render import render_docx

        return render_docx(view)
    from documents.render import render_html, render_text

    return (render_html(view) if fmt is Format.html else render_text(view)).encode("utf-8")


def _print_draft(out: dict[str, Any]) -> None:
    from documents.intake import printable

    def say(text: str) -> None:
        console.print(printable(text), markup=False, highlight=False, soft_wrap=True)

    say("KẾ HOẠCH")
    for line in out["summary_lines"]:
        say(f"  {line}")
    say(
        f"{len(out['body'])} paragraphs · {len(out['footnotes'])} footnotes · "
        f"{len(out['recipients'])} recipients"
    )
    for r in out["recipients"]:
        annotation = f" ({r['annotation']})" if r["annotation"] else ""
        say(f"  - {r['text']}{annotation}")
    sig = out["signature"]
    say(
        " / ".join(
            part for part in (f"{sig['form']} {sig['collective']}".strip(), sig["title"], sig["name"]) if part
        )
    )
    for note in out["note_codes"]:
        say(f"note {note['message'] if settings().cli_language == 'vi' else note['text']}")


@app.command("parse")
def parse_command(
    path: PATH,
    as_json: Annotated[bool, typer.Option("--json", help="print the structured draft as JSON")] = False,
) -> None:
    """Read a plan and show its structure; everything not understood is listed as a note."""
    with reported():
        out = draft_json(read_document(path))
    emit(out, as_json, render=_print_draft)


@app.command("render")
def render_command(
    path: PATH,
    fmt: Annotated[Format, typer.Option("--format", help="output format", case_sensitive=False)],
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
    org_config: Annotated[
        Path | None,
        typer.Option("--org-config", help="organisation TOML for the header, e.g. examples/hamliem.toml"),
    ] = None,
) -> None:
    """Render a plan file as the draft document (blank number and date) in the given format."""
    from documents.intake import printable
    from documents.render import DocumentView

    with reported():
        if out is None and fmt in _BINARY and sys.stdout.isatty():
            raise Invalid("--out", code="output.binary", fmt=fmt.value)
        parsed = read_document(path)
        header = org_header(org_config) if org_config is not None else {}
        data = render_view(DocumentView.from_draft(parsed.draft, **header), fmt)
        if out is not None:
            try:
                out.write_bytes(data)
            except OSError as error:
                raise Invalid(
                    "--out", code="file.unwritable", path=out, error=error.strerror or error
                ) from error
    for note in parsed.notes:
        err_console.print(f"note {printable(note_text(note))}", markup=False, highlight=False, soft_wrap=True)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        err_console.print(f"wrote {out} ({len(data)} bytes)", markup=False, highlight=False)


def _print_signatures(out: dict[str, Any]) -> None:
    from documents.intake import printable

    def say(text: str) -> None:
        console.print(printable(text), markup=False, highlight=False, soft_wrap=True)

    def when(value: str | None) -> str:
        return value.replace("T", " ", 1)[:19] + " (Hà Nội, +07:00)" if value else "—"

    for sig in out["signatures"]:
        say(f"{sig['field']} · {sig['kind']} · {sig['signer']} (serial {sig['serial']})")
        if sig["kind"] == "document_timestamp":  # B-LTA: the TSA is its only signer
            valid = "" if sig["timestamp_ok"] else " — not valid"
            say(f"  timestamp   {when(sig['timestamp'])} by {sig['timestamp_authority']}{valid}")
            whole = "the whole file" if sig["coverage"] == "entire_file" else sig["coverage"]
            say(f"  intact      {'yes' if sig['intact'] else 'NO'}; covers {whole}")
            say(f"  chain       {sig['anchor'] or 'not to a trust anchor'}")
            say("  valid" if sig["ok"] else "  FAILED: " + "; ".join(sig["problems"]))
            continue
        say(f"  signed      {when(sig['signing_time'])}")
        if sig["timestamp"] is None:
            say("  timestamp   none")
        else:
            valid = "" if sig["timestamp_ok"] else " — not valid"
            say(f"  timestamp   {when(sig['timestamp'])} by {sig['timestamp_authority']}{valid}")
        say(f"  intact      {'yes' if sig['intact'] else 'NO'}; changed after it: {sig['modification']}")
        say(f"  chain       {sig['anchor'] or 'not to a trust anchor'}")
        embedded = "embedded in the PDF" if sig["revocation_embedded"] else "not embedded"
        say(f"  revocation  {sig['revocation']} ({embedded})")
        say("  valid" if sig["ok"] else "  FAILED: " + "; ".join(sig["problems"]))
    say("all signatures valid" if out["ok"] else "verification failed")


@app.command("verify")
def verify_command(
    path: Annotated[Path, typer.Argument(help="a signed PDF")],
    as_json: Annotated[bool, typer.Option("--json", help="print the reports as JSON")] = False,
    trust_anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust-anchor",
            metavar="PEM",
            help="PEM file of trusted roots (repeatable); default: the settings'",
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="no network: the revocation data the PDF embeds, at each signature's timestamp"
        ),
    ] = False,
) -> None:
    """List each signature of a PDF: who, when, timestamp, integrity, chain, revocation.

    Exit 0 when every check of every signature passes, 1 when one fails, 2 on an unusable file or anchor.
    """
    from documents.intake import read_bytes
    from documents.signatures.trust import anchor_paths, load_anchors
    from documents.signatures.verify import verify_pdf

    with reported():
        paths = trust_anchor or anchor_paths(settings().trust_anchors)
        anchors = load_anchors(paths)
        reports = verify_pdf(
            read_bytes(path, str(path), import_limits().max_docx_bytes), anchors, online=not offline
        )
    out = {"file": str(path), "ok": all(r.ok for r in reports), "signatures": [r.as_json() for r in reports]}
    emit(out, as_json, render=_print_signatures)
    if not out["ok"]:
        raise typer.Exit(1)
