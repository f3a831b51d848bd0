"""`banhanh directory|mail|register|db|outbox`: set-up and inspection commands."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import PLAN_FILTER, console, database, emit, read_toml, reported, settings
from models.errors import Invalid, NotFound

JSON = Annotated[bool, typer.Option("--json", help="print JSON")]

directory = typer.Typer(help="Organisations, people and the address book.", no_args_is_help=True)
mail = typer.Typer(help="Messages the local SMTP catcher received.", no_args_is_help=True)
register_app = typer.Typer(help="The outgoing register (sổ đăng ký văn bản đi).", no_args_is_help=True)
db_app = typer.Typer(help="The app database.", no_args_is_help=True)
outbox_app = typer.Typer(help="Queued emails and flow-run jobs.", no_args_is_help=True)


@directory.command("load")
def load(path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="TOML config")]) -> None:
    """Create or update an organisation, its people and address book from a TOML file."""
    from models.services.directory import load_directory

    with reported():
        config = read_toml(path, str(path))
        org = load_directory(database(), config)
    console.print(f"Loaded {org.name} ({org.key})", highlight=False)


cert_app = typer.Typer(help="Signing certificates registered to people.", no_args_is_help=True)
directory.add_typer(cert_app, name="cert")


@cert_app.command("add")
def cert_add(
    email: Annotated[str, typer.Argument(help="the person the certificate belongs to")],
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the certificate, PEM or DER")],
) -> None:
    """Register a person's signing certificate: their signatures are accepted only with it."""
    from models.services import certificates

    with reported():
        try:
            data = path.read_bytes()
        except OSError as error:
            raise Invalid("certificate", code="file.unreadable", path=path, error=error.strerror) from error
        row = certificates.register(database(), email, data, str(path))
    console.print(
        f"Registered to {email}: {row.subject} (serial {row.serial})", markup=False, highlight=False
    )
    console.print(f"  SHA-256 {row.fingerprint}", markup=False, highlight=False)


@cert_app.command("list")
def cert_list(
    email: Annotated[str | None, typer.Argument(help="one person's certificates")] = None,
    as_json: JSON = False,
) -> None:
    """The registered signing certificates."""
    from models.services import certificates

    with reported():
        rows = certificates.registered(database(), email)
    emit(rows, as_json, ["email", "subject", "serial", "fingerprint", "not_after"])


signature_image_app = typer.Typer(help="People's signature images (transparent PNG).", no_args_is_help=True)
directory.add_typer(signature_image_app, name="signature-image")
seal_image_app = typer.Typer(help="The organisation's seal image (transparent PNG).", no_args_is_help=True)
directory.add_typer(seal_image_app, name="seal-image")
PNG = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a PNG with transparency")]


def _read_png(path: Path, field: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise Invalid(field, code="file.unreadable", path=path, error=error.strerror) from error


@signature_image_app.command("add")
def signature_image_add(
    email: Annotated[str, typer.Argument(help="the person whose signature it is")], path: PNG
) -> None:
    """Set a person's signature image (blue): their personal signatures show it (replaces theirs)."""
    from models.services import signature_images

    with reported():
        row = signature_images.set_signature_image(database(), email, _read_png(path, "signature"))
    console.print(
        f"Signature image of {email}: {row.width}×{row.height} px, SHA-256 {row.sha256}",
        markup=False,
        highlight=False,
    )


@signature_image_app.command("list")
def signature_image_list(as_json: JSON = False) -> None:
    """The signature and seal images on record."""
    from models.services import signature_images

    with reported():
        rows = signature_images.listed(database())
    emit(rows, as_json, ["kind", "org", "email", "size", "sha256"])


@seal_image_app.command("set")
def seal_image_set(
    path: PNG,
    org: Annotated[str | None, typer.Option("--org", help="the organisation's key (of several)")] = None,
    width_mm: Annotated[
        float | None, typer.Option("--width-mm", help="the seal's actual width; default: from the PNG's dpi")
    ] = None,
) -> None:
    """Set the organisation's seal image (red): its signature at issuance shows it at actual size."""
    from models.services import signature_images

    with reported():
        row = signature_images.set_seal_image(database(), _read_png(path, "seal"), org, width_mm)
    console.print(
        f"Seal image: {row.width}×{row.height} px, {row.width_mm} mm across, SHA-256 {row.sha256}",
        markup=False,
        highlight=False,
    )


@mail.command("list")
def mail_list(
    plan: PLAN_FILTER = None,
    as_json: JSON = False,
) -> None:
    """Messages in the catcher's mailbox (works when nothing is running)."""
    from notifications.catcher import read_index

    rows = read_index(settings().mail_dir)
    if plan is not None:
        rows = [r for r in rows if str(r.get("plan_id")) == str(plan)]
    emit(rows, as_json, ["received_at", "event", "rcpt_tos", "attachments", "subject"])


@mail.command("show")
def mail_show(
    to: Annotated[str, typer.Option("--to", help="the newest message to this address")],
    event: Annotated[str | None, typer.Option(help="only messages of this event, e.g. sign_in")] = None,
) -> None:
    """The plain text of the newest caught message to one address: how the first person to sign
    in on the embedded default reads their sign-in link (the web mail view needs a secretariat)."""
    from notifications.catcher import load_message, read_index

    mail_dir = settings().mail_dir
    wanted = to.strip().lower()
    for entry in reversed(read_index(mail_dir)):
        if wanted in [r.lower() for r in entry.get("rcpt_tos", [])] and event in (None, entry.get("event")):
            message = load_message(mail_dir, entry["eml"])
            part = message.get_body(preferencelist=("plain",))
            console.print(f"Subject: {message.get('Subject', '')}", markup=False, highlight=False)
            console.print(part.get_content() if part is not None else "", markup=False, highlight=False)
            return
    with reported():
        raise NotFound("--to", code="mail.none_to", to=to)


@register_app.command("list")
def register_list(
    as_json: JSON = False,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            dir_okay=False,
            help="write the register with its columns (NĐ 30 Phụ lục IV) to this CSV file (UTF-8, BOM)",
        ),
    ] = None,
    org: Annotated[str | None, typer.Option(help="only this organisation's register (its key)")] = None,
) -> None:
    """Numbers allocated so far; --csv writes the sổ đăng ký văn bản đi for Excel."""
    from models.services import queries

    if csv_file is None and org is None:
        emit(queries.register(database()), as_json, ["symbol", "plan", "at", "signer", "title", "state"])
        return
    if csv_file is None:
        with reported():
            rows = queries.outgoing_register(database(), org)
        emit(rows, as_json, ["symbol", "plan", "date", "signer", "type_and_summary"])
        return
    with reported():
        rows = queries.outgoing_register(database(), org)
        write_register_csv(csv_file, rows)
    console.print(f"Wrote {len(rows)} register entries to {csv_file}", highlight=False)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell Excel will show as text, never run: titles and names come from users, and a cell
    starting with '=' (or '+', '-', '@') would be taken as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_register_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """The register as CSV: a header of the Vietnamese column names, UTF-8 with a BOM for Excel."""
    from models.services import queries

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in queries.OUTGOING_REGISTER_COLUMNS])
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(key, "")) for key, _ in queries.OUTGOING_REGISTER_COLUMNS])
    try:
        path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    except OSError as error:
        raise Invalid("--csv", code="file.unwritable", path=path, error=error.strerror or error) from error


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations."""
    from models.migrate import upgrade  # Alembic is slow to import; only this command needs it

    upgrade(settings().db_url)
    console.print("database is up to date")


@outbox_app.command("list")
def outbox_list(plan: PLAN_FILTER = None, as_json: JSON = False) -> None:
    """Queued, sent and failed items."""
    from models.services import queries

    with reported():
        rows = queries.outbox(database(), plan)
    emit(rows, as_json, ["id", "kind", "event", "to", "status", "attempts", "error"])
