"""`banhanh plan …`: the secretariat's commands, and the signer's `sign`."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.context import PLAN_ID, console, database, emit, import_limits, note_text, reported, settings

if TYPE_CHECKING:
    from documents.signatures.keys import SigningKey, TokenKey
    from models.services.signing import Signed

app = typer.Typer(
    help="Import, edit, assign, submit, withdraw and sign plans; show their status.", no_args_is_help=True
)

AS = Annotated[str, typer.Option("--as", help="email of the person acting")]
JSON = Annotated[bool, typer.Option("--json", help="print JSON")]
ON_BEHALF_OF = Annotated[
    str | None, typer.Option(help="whose delegate you act as, when you are the delegate of several people")
]


@app.command("import")
def import_plan(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="the plan: a Word .docx, or plain text like the seeds"
        ),
    ],
    org: Annotated[str, typer.Option(help="organisation key, e.g. hamliem")],
    actor: AS,
    as_json: JSON = False,
) -> None:
    """Import a plan from a .docx or plain text; what cannot be mapped is reported, never dropped silently."""
    from documents.intake import parse_file, printable, read_bytes
    from models.services import plans

    with reported():
        limits = import_limits()
        data = read_bytes(path, str(path), max(limits.max_docx_bytes, limits.max_text_bytes))
        parsed = parse_file(data, str(path), limits)
        result = plans.create_plan(database(), actor, org, parsed.draft)
    notes = [*parsed.notes, *result.notes]
    out = {
        "plan": result.plan_id,
        "version_hash": result.version_hash[:12],
        "notes": [str(n) for n in notes],  # the English text, as before notes had codes
        "note_codes": [n.as_json() for n in notes],
    }
    if as_json:
        emit(out, True)
        return
    console.print(
        f"Imported plan [bold]{result.plan_id}[/] (version {result.version_hash[:12]})", markup=True
    )
    for note in notes:
        console.print(f"  [yellow]note[/] {escape(printable(note_text(note)))}", highlight=False, markup=True)


@app.command("list")
def list_plans(as_json: JSON = False) -> None:
    """Every plan with its state; `run` says when its flow run is late (automated work due
    for longer than BANHANH_RUN_LATE_S without progress)."""
    from models import quick_read

    late_after = timedelta(seconds=settings().run_late_s)
    url = settings().db_url
    # The embedded SQLite file is read without SQLAlchemy; the full path runs only when some
    # plan may be late, or on PostgreSQL.
    rows = quick_read.list_plans(url)
    if rows is None or quick_read.may_be_late(url, datetime.now(UTC) - late_after) is not False:
        from models.services import queries, runs

        db = database()
        late = {p.plan_id: p for p in runs.late_plans(db, late_after)}
        rows = queries.list_plans(db)
    else:
        late = {}
    for row in rows:
        p = late.get(row["id"])
        row["run_late_since"] = p.since.isoformat(timespec="seconds") if p else None
        row["run"] = f"late {p.as_dict()['minutes']:.0f} min: {p.waits_for}" if p else ""
    emit(rows, as_json, ["id", "state", "symbol", "version_hash", "title", "run"])


@app.command("show")
def show(plan_id: PLAN_ID, as_json: JSON = False) -> None:
    """A plan's status: state, version, reviewers and their decisions, deliveries, its recall and the
    documents that replace or correct it (or that it replaces or corrects)."""
    from models.services import queries, recall, related

    with reported():
        status = queries.plan_status(database(), plan_id)
        status["related"] = related.shown(database(), plan_id)
        status["recall"] = recall.status(database(), plan_id)["recall"]

    def render(s: dict[str, object]) -> None:
        console.print(f"[bold]Plan {s['id']}[/] · {escape(str(s['title']))}", highlight=False, markup=True)
        console.print(
            f"state [bold]{s['state']}[/] · version {s['version']} ({s['version_hash']}) · "
            f"round {s['round']} · {escape(str(s['symbol'] or 'no number yet'))}",
            highlight=False,
            markup=True,
        )
        console.print(f"signer {s['signer']} · reviewers {', '.join(s['reviewers'])}", highlight=False)  # type: ignore[arg-type]
        if s["template"]:
            console.print(f"review template {s['template']} · stage {s['stage']}", highlight=False)
        for t in s["tasks"]:  # type: ignore[attr-defined]
            by = f" (by {t['decided_by']})" if t["decided_by"] and t["decided_by"] != t["reviewer"] else ""
            console.print(
                f"  stage {t['stage']} review {t['reviewer']}: {t['status']}{by} {t['comment']}",
                highlight=False,
            )
        if s["deliveries"]:
            console.print(f"deliveries {s['deliveries']}", highlight=False)
        if r := s["recall"]:
            console.print(f"recall {r['status']} ({r['requested_by']}): {r['reason']}", highlight=False)  # type: ignore[index]
        for link in s["related"]:  # type: ignore[attr-defined]
            console.print(
                f"{link['words']}: plan {link['plan']} {link['symbol'] or ''} ({link['state']})",
                highlight=False,
            )

    emit(status, as_json, render=render)


@app.command("history")
def history(plan_id: PLAN_ID, as_json: JSON = False) -> None:
    """The plan's audit trail: who did what and when."""
    from models.services import queries

    with reported():
        rows = queries.history(database(), plan_id)
    emit(rows, as_json, ["seq", "at", "actor", "action", "from", "to", "hash"])


@app.command("deliveries")
def deliveries(
    plan_id: PLAN_ID,
    as_json: JSON = False,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow", help="show a progress bar until every copy is sent or failed (a signed plan)"
        ),
    ] = False,
) -> None:
    """Each recipient of the issued plan, where its copy stands and whether it acknowledged receipt."""
    from models.services import queries

    with reported():
        if follow:
            follow_progress(plan_id)
        rows = queries.deliveries(database(), plan_id)
    if not as_json:  # the table's column header; JSON keeps the field's own name
        for row in rows:
            row["acknowledged"] = row.pop("acknowledged_at") or ""
    columns = ["name", "email", "status", "acknowledged", "reason", "message_id"]
    if any(row["recall_status"] for row in rows):  # after a recall: each copy's answer
        columns.append("recall_status")
    emit(rows, as_json, columns)


def follow_progress(plan_id: int, poll_s: float = 0.5) -> None:
    """A progress bar of the plan's emailed copies (sent / failed / pending of all) until none is pending."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from models.errors import WrongState
    from models.lifecycle import State
    from models.services import distribution, queries

    db = database()
    state = queries.plan_status(db, plan_id)["state"]
    if state not in (State.SIGNED, State.DISTRIBUTING, State.ISSUED):
        raise WrongState("--follow", code="deliveries.not_distributing", plan_id=plan_id, state=state)
    columns = (
        TextColumn("[bold]KH-{task.fields[plan]}[/]"),
        BarColumn(),
        TextColumn("đã gửi {task.fields[sent]} · lỗi {task.fields[failed]} · còn chờ {task.fields[pending]}"),
        TextColumn("/ {task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("", total=None, plan=plan_id, sent=0, failed=0, pending="?")
        while True:
            now = distribution.progress(db, plan_id)
            done = now.sent + now.failed
            bar.update(
                task, total=now.emailed, completed=done, sent=now.sent, failed=now.failed, pending=now.pending
            )
            if now.final and now.emailed + now.other > 0:  # rows exist once distribution has begun
                return
            time.sleep(poll_s)


@app.command("remind-ack")
def remind_ack(plan_id: PLAN_ID, actor: AS) -> None:
    """Email every recipient who has not yet acknowledged receipt, again with its confirmation link."""
    from models.services import acknowledgements

    with reported():
        queued = acknowledgements.remind(database(), plan_id, actor)
    console.print(f"Plan {plan_id}: {queued} acknowledgement reminder(s) queued", highlight=False)


@app.command("check")
def check(plan_id: PLAN_ID, as_json: JSON = False) -> None:
    """The format check signing runs: every problem with the rule it breaks (exit 3 if one blocks)."""
    from models.services import checks

    with reported():
        report = checks.check(database(), plan_id)
    out = {
        "plan": report.plan_id,
        "version_hash": report.version_hash[:12],
        "ruleset": report.ruleset.name,
        "blocking": len(report.blocking),
        "problems": [
            {"rule": p.rule, "field": p.field, "blocking": p.blocking, "message": p.message}
            for p in report.problems
        ],
    }
    if as_json:
        emit(out, True)
    else:
        console.print(
            f"Plan {report.plan_id} (version {out['version_hash']}) under {report.ruleset.name}: "
            f"{len(report.problems)} problem(s), {len(report.blocking)} blocking",
            highlight=False,
        )
        for p in report.problems:
            mark = "[red]blocks[/]" if p.blocking else "[yellow]warns [/]"
            console.print(
                f"  {mark} {escape(f'[{p.rule}] {p.field}: {p.message}')}", highlight=False, markup=True
            )
    if report.blocking:
        raise typer.Exit(3)


@app.command("assign")
def assign(
    plan_id: PLAN_ID,
    actor: AS,
    reviewer: Annotated[list[str] | None, typer.Option(help="reviewer email (repeat)")] = None,
    signer: Annotated[str | None, typer.Option(help="signer email")] = None,
    recipient: Annotated[list[str] | None, typer.Option(help="address-book unit code (repeat)")] = None,
    secrecy: Annotated[
        str | None, typer.Option(help="'mật', 'tối mật' or 'tuyệt mật' (never emailed); '' clears it")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(help="the organisation's review template (its stages), instead of --reviewer"),
    ] = None,
) -> None:
    """Choose reviewers (or a review template), the signer, the recipients and the secrecy mark of a draft."""
    from models.services import plans

    with reported():
        version = plans.assign(
            database(),
            plan_id,
            actor,
            reviewers=reviewer,
            signer=signer,
            recipients=recipient,
            secrecy=secrecy,
            template=template,
        )
    console.print(f"Plan {plan_id} assigned; version {version[:12]}")


@app.command("edit")
def edit(
    plan_id: PLAN_ID,
    actor: AS,
    title: Annotated[str | None, typer.Option(help="new title")] = None,
    body_file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="file with the new body")
    ] = None,
) -> None:
    """Edit a draft; changed content is a new version with a new hash."""
    from documents.intake import decode_text, read_bytes
    from models.services import plans

    with reported():
        limit = import_limits().max_text_bytes
        body = (
            decode_text(read_bytes(body_file, "--body-file", limit), "--body-file", limit)
            if body_file
            else None
        )
        version = plans.edit_plan(database(), plan_id, actor, title=title, body=body)
    console.print(f"Plan {plan_id} is at version {version[:12]}")


@app.command("submit")
def submit(plan_id: PLAN_ID, actor: AS) -> None:
    """Send the plan to its reviewers (starts or resumes its issue-plan flow run)."""
    from models.services import plans

    with reported():
        round_no = plans.submit(database(), plan_id, actor)
    console.print(f"Plan {plan_id} submitted for review, round {round_no}")


@app.command("resend")
def resend(
    plan_id: PLAN_ID,
    actor: AS,
    to: Annotated[str, typer.Option("--to", help="the recipient's email address")],
) -> None:
    """Send the issued plan again to one recipient (a new email with its own Message-ID)."""
    from models.services import distribution

    with reported():
        message_id = distribution.resend(database(), plan_id, actor, to)
    console.print(f"Plan {plan_id} queued again for {to} ({message_id})", highlight=False)


@app.command("retry-failed")
def retry_failed(plan_id: PLAN_ID, actor: AS) -> None:
    """Send the plan again to every recipient whose copy failed (new emails), e.g. after a relay outage."""
    from models.services import distribution

    with reported():
        resent = distribution.retry_failed(database(), plan_id, actor)
    console.print(f"Plan {plan_id}: {len(resent)} failed copies queued again", highlight=False)
    for email in resent:
        console.print(f"  {email}", highlight=False)


@app.command("withdraw")
def withdraw(
    plan_id: PLAN_ID, actor: AS, reason: Annotated[str, typer.Option(help="why (required)")]
) -> None:
    """Withdraw a plan that is not yet signed."""
    from models.services import plans

    with reported():
        plans.withdraw(database(), plan_id, actor, reason)
    console.print(f"Plan {plan_id} withdrawn")


@app.command("sign")
def sign(
    plan_id: PLAN_ID,
    actor: AS,
    version: Annotated[str, typer.Option(help="the version hash you read (from `banhanh tasks`)")],
    on_behalf_of: ON_BEHALF_OF = None,
    pkcs11_lib: Annotated[
        Path | None,
        typer.Option(
            "--pkcs11-lib", dir_okay=False, help="your token's PKCS#11 module: sign with your own key"
        ),
    ] = None,
    token_label: Annotated[str, typer.Option("--token-label", help="the token's label")] = "",
    key_label: Annotated[
        str, typer.Option("--key-label", help="the key's (and its certificate's) label")
    ] = "",
    pin_env: Annotated[
        str | None, typer.Option("--pin-env", help="environment variable holding the PIN (else it is asked)")
    ] = None,
    pkcs12: Annotated[
        Path | None,
        typer.Option("--pkcs12", dir_okay=False, help="your PKCS#12 file: sign with the key it holds"),
    ] = None,
) -> None:
    """Sign the approved plan (ký duyệt). With --pkcs11-lib the PDF of the approved version carries
    your digital signature, made on your token (the key never leaves it). Where the organisation
    issues automatically its number is allocated now; otherwise the văn thư issues it (`plan issue`).
    A delegate signs T/L or TUQ."""
    import os

    from documents.signatures.keys import FileKey
    from models.services import signing

    with reported():
        if pkcs11_lib is not None:
            key: SigningKey = _token_key(pkcs11_lib, token_label, key_label, pin_env)
            signed = _sign_on_token(plan_id, actor, version, on_behalf_of, key)
        elif pkcs12 is not None:  # the password, like a PIN, from --pin-env or asked
            password = os.environ.get(pin_env, "") if pin_env else typer.prompt("Password", hide_input=True)
            signed = _sign_on_token(plan_id, actor, version, on_behalf_of, FileKey(pkcs12, password))
        else:
            signed = signing.sign(database(), plan_id, actor, version, on_behalf_of=on_behalf_of)
    if signed.issued:
        line = f"Plan {plan_id} signed: [bold]{escape(signed.symbol)}[/]"
        console.print(line, highlight=False, markup=True)
    else:
        console.print(f"Plan {plan_id} signed; waiting for the văn thư to issue it", highlight=False)


def _token_key(library: Path, token_label: str, key_label: str, pin_env: str | None) -> TokenKey:
    import os

    from documents.signatures.keys import TokenKey
    from models.errors import Invalid

    for name, value in (("--token-label", token_label), ("--key-label", key_label)):
        if not value.strip():
            raise Invalid(name, code="field.required")
    if pin_env is not None:
        pin = os.environ.get(pin_env, "")
        if not pin:
            raise Invalid("--pin-env", code="signature.no_pin", variable=pin_env)
    else:
        pin = typer.prompt("PIN", hide_input=True)
    return TokenKey(library, token_label, key_label, pin)


def _sign_on_token(
    plan_id: int, actor: str, version: str, on_behalf_of: str | None, key: SigningKey
) -> Signed:
    """Interrupted signing: the server prepares the approved version and its digest, the token signs
    the digest, the server embeds the signature and checks it."""
    from documents.signatures.interrupted import sign_digest
    from documents.signatures.keys import open_signer
    from models.services import signing

    cfg = settings()
    with open_signer(key) as signer:
        cert = signer.signing_cert
        chain = [c.dump() for c in signer.cert_registry if c != cert]
        assert cert is not None
        prepared = signing.prepare_personal(
            database(), cfg, plan_id, actor, version, cert.dump(), chain, on_behalf_of=on_behalf_of
        )
        signature = sign_digest(signer, prepared.digest, tsa_url=cfg.tsa_url)
    return signing.finish_personal(
        database(), cfg, plan_id, actor, prepared, signature, on_behalf_of=on_behalf_of
    )


@app.command("issue")
def issue(plan_id: PLAN_ID, actor: AS) -> None:
    """Issue a signed plan (văn thư): its official number is allocated now, then it is sealed and sent."""
    from models.services import signing

    with reported():
        issued = signing.issue(database(), plan_id, actor)
    console.print(f"Plan {plan_id} issued: [bold]{escape(issued.symbol)}[/]", highlight=False, markup=True)


@app.command("document")
def document(
    plan_id: PLAN_ID,
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help="pdf | docx | html")] = "pdf",
) -> None:
    """Write the plan's official file: the issued original (sealed PDF) once it is issued,
    otherwise the current version rendered now."""
    from documents.official import official_document  # WeasyPrint: only this command needs it
    from models.errors import Invalid

    with reported():
        file = official_document(database(), plan_id, fmt)
        try:
            out.write_bytes(file.content)
        except OSError as error:
            raise Invalid("--out", code="file.unwritable", path=out, error=error.strerror or error) from error
    kind = "the issued original" if file.original else "rendered now"
    console.print(f"Wrote {out} ({len(file.content)} bytes, {kind})", markup=False, highlight=False)


@app.command("recipients")
def recipients(
    plan_id: PLAN_ID,
    actor: Annotated[str | None, typer.Option("--as", help="email of the person acting (to edit)")] = None,
    line: Annotated[
        list[str] | None,
        typer.Option(
            "--line", help="a Nơi nhận entry as printed, e.g. '- Sở Nội vụ (để thực hiện);' (repeat)"
        ),
    ] = None,
    resolve: Annotated[
        bool,
        typer.Option("--resolve", help="map the current lines again against the address book as it is now"),
    ] = False,
    based_on: Annotated[str | None, typer.Option(help="the version hash the edit was made on")] = None,
    as_json: JSON = False,
) -> None:
    """Show the Nơi nhận list and how each line maps to the address book; with --line, replace it
    (add, remove, reorder, annotate, 'Như trên', the archive line last); with --resolve, map it again."""
    from models.errors import Invalid
    from models.services import plans, queries

    with reported():
        db = database()
        if line is not None or resolve:
            if actor is None:
                raise Invalid("--as", code="recipients.needs_actor")
            if line is not None and resolve:
                raise Invalid("--resolve", code="recipients.line_or_resolve")
            current = queries.plan_status(db, plan_id)["recipients"]
            lines = line if line is not None else [_printed(r) for r in current]
            plans.edit_plan(db, plan_id, actor, recipient_lines=lines, based_on=based_on)
        status = queries.plan_status(db, plan_id)

    def render(s: dict[str, object]) -> None:
        console.print(
            f"Plan {plan_id} · version {s['version']} ({s['version_hash']}) · Nơi nhận:", highlight=False
        )
        for r in s["recipients"]:  # type: ignore[attr-defined]
            where = "archive" if r["archive"] else (r["unit_code"] or "not in the address book")
            console.print(f"  - {_printed(r)}  [{where}]", highlight=False, markup=False)

    emit(
        {"plan": plan_id, "version_hash": status["version_hash"], "recipients": status["recipients"]},
        as_json,
        render=render,
    )


def _printed(recipient: dict[str, object]) -> str:
    from models.addressing import printed_entry

    return printed_entry(str(recipient["text"]), str(recipient.get("annotation") or ""))
