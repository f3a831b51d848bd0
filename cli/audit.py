"""`banhanh audit verify|evidence` and `banhanh seal make-cert|check`: proving who approved what."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.context import PLAN_ID, console, database, reported, settings
from models.errors import Invalid, NotFound

if TYPE_CHECKING:
    from documents.anchors import Anchor

app = typer.Typer(help="The hash-chained audit log and the evidence of a plan.", no_args_is_help=True)
seal_app = typer.Typer(help="The certificate that seals issued PDFs.", no_args_is_help=True)


def _parse_head(value: str, org_key: str | None) -> Anchor:
    from documents.anchors import Anchor

    seq, _, head = value.partition(":")
    if not seq.isdigit() or len(head) < 16:
        raise Invalid("--head", code="audit.bad_head", value=value)
    if org_key is None:
        raise Invalid("--org", code="audit.org_needed")
    return Anchor(org_key, int(seq), head.lower())


@app.command("verify")
def verify(
    anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor",
            exists=True,
            dir_okay=False,
            help="an issued PDF or evidence export whose anchors must hold",
        ),
    ] = None,
    head: Annotated[list[str] | None, typer.Option(help="a chain head SEQ:HASH that must hold")] = None,
    org: Annotated[str | None, typer.Option(help="the organisation of --head (its key)")] = None,
) -> None:
    """Check every organisation's chain and the rows it binds; report the first broken entry.

    With --anchor or --head, also check that the chain still holds each head anchored outside
    the database: a chain rewritten from an earlier entry on does not.
    """
    from sqlmodel import select

    from documents.anchors import anchors_in_pdf
    from models.directory import Organisation
    from models.services import audit

    db = database()
    with db.read() as session:
        orgs = {o.key: o for o in session.exec(select(Organisation)).all()}
    broken = False
    for key, organisation in orgs.items():
        report = audit.verify(db, organisation.id or 0)
        if report.broken_at is None:
            console.print(f"{key}: {report.entries} entries, chain intact", highlight=False)
            if report.unbound:
                console.print(f"{key}: {report.unbound_line()}", highlight=False)
        else:
            broken = True
            where = f"{key}: entry {report.broken_at.seq} ({report.broken_at.action})"
            console.print(
                f"[red]{escape(f'{where} {report.reason}')}[/]",
                highlight=False,
                markup=True,
            )
    with reported():
        wanted = [
            (str(path), a) for path in anchor or [] for a in anchors_in_pdf(path.read_bytes(), str(path))
        ]
        wanted += [(f"--head {value}", _parse_head(value, org)) for value in head or []]
        for source, a in wanted:
            if a.org_key not in orgs:
                raise NotFound("org", code="audit.unknown_org", source=source, key=a.org_key)
            held = audit.check_anchor(db, orgs[a.org_key].id or 0, a.seq, a.head)
            if held.ok:
                console.print(
                    f"{a.org_key}: anchor #{a.seq} · {a.head[:16]} from {source} holds", highlight=False
                )
            else:
                broken = True
                console.print(
                    f"[red]{escape(f'{a.org_key}: {held.reason} (anchor from {source})')}[/]",
                    highlight=False,
                    markup=True,
                )
    if broken:
        raise typer.Exit(1)


@app.command("evidence")
def evidence(
    plan_id: PLAN_ID,
    out: Annotated[Path, typer.Option(dir_okay=False, help="the PDF to write")],
) -> None:
    """Write the evidence of one plan as a PDF: versions, decisions, number, deliveries, chain heads."""
    from documents.evidence import render_evidence_pdf  # WeasyPrint is slow to import
    from models.services.evidence import gather

    with reported():
        pdf = render_evidence_pdf(gather(database(), plan_id, settings().trust_anchors))
        try:
            out.write_bytes(pdf)
        except OSError as error:
            raise Invalid("--out", code="file.unwritable", path=out, error=error.strerror or error) from error
    console.print(f"Wrote the evidence of plan {plan_id} to {out}", highlight=False)


@seal_app.command("make-cert")
def make_cert(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="the PKCS#12 file to write")],
    name: Annotated[str, typer.Option(help="the organisation named in the certificate")],
    password: Annotated[str, typer.Option(help="password of the PKCS#12 file")] = "",
) -> None:
    """A local self-signed CA and seal certificate (for trying sealing out; an office uses its CA's)."""
    from documents.certs import write_seal_certificate

    ca = write_seal_certificate(out, name, password)
    console.print(f"Wrote {out} and its CA {ca}", highlight=False)
    console.print(f"Set BANHANH_SEAL_PKCS12={out.resolve()} (and BANHANH_SEAL_PASSWORD)", highlight=False)


@seal_app.command("check")
def check(
    pdf: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a sealed PDF")],
    ca: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="the CA to trust (PEM)")],
) -> None:
    """Validate a PDF's seal: intact, trusted, and nothing added after it."""
    from documents.seal import check_seal

    with reported():
        status = check_seal(pdf.read_bytes(), ca.read_bytes())
    console.print(
        f"signed by {status.signed_by}: intact={status.intact} trusted={status.trusted} "
        f"whole file={status.covers_whole_file}",
        highlight=False,
    )
    if not status.ok:
        raise typer.Exit(1)
