"""`make demo`: seed 004 of a Party committee, then a commune People's Committee's plan, from
import to every recipient's inbox, on the embedded default.

Reuses a running `make serve` or starts its own. The human steps are done with the
`banhanh` command, as the secretariat, the reviewers and the signer would.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from flows import demo_signing
from models.settings import Settings
from notifications.catcher import read_index

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "seeds" / "004_f456acc7e9262ea1.txt"
CONFIG = REPO / "examples" / "hamliem.toml"
SECRETARIAT = "vanphong@hamliem.example.vn"
REVIEWERS = ("bxdd@hamliem.example.vn", "ubkt@hamliem.example.vn")
SIGNER = "pbt@hamliem.example.vn"
STEP_TIMEOUT_S = 240
BANHANH = str(Path(sys.executable).with_name("banhanh"))
SEAL_PASSWORD = "demo"  # of the demo's own certificate; an office uses its CA's and keeps the password secret


@dataclass(frozen=True)
class Office:
    """An organisation of the demo and the plan it issues."""

    key: str
    plan: Path
    what: str
    secretariat: str
    reviewers: tuple[str, ...]
    signer: str


PARTY = Office("hamliem", SEED, "seed 004", SECRETARIAT, REVIEWERS, SIGNER)
STATE_CONFIG = REPO / "examples" / "ubnd-hamliem.toml"
STATE = Office(
    "ubnd-hamliem",
    REPO / "examples" / "ke-hoach-ubnd-hamliem.txt",
    "the People's Committee's plan, signed TM. / KT. / PHÓ CHỦ TỊCH",
    "vanphong@ubnd-hamliem.example.vn",
    ("vanhoa@ubnd-hamliem.example.vn", "kinhte@ubnd-hamliem.example.vn"),
    "pct@ubnd-hamliem.example.vn",
)


def say(text: str) -> None:
    print(f"\n\033[1m▶ {text}\033[0m", flush=True)


def run(*args: str, capture: bool = False) -> str:
    print(f"$ banhanh {shlex.join(args)}", flush=True)
    result = subprocess.run([BANHANH, *args], text=True, capture_output=capture, check=False)
    if result.returncode != 0:
        if capture:
            sys.stderr.write(result.stderr)
        raise SystemExit(f"demo stopped: `banhanh {shlex.join(args)}` exited with {result.returncode}")
    return result.stdout if capture else ""


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json", capture=True))


def status(plan_id: int) -> dict[str, Any]:
    out = subprocess.run(
        [BANHANH, "plan", "show", str(plan_id), "--json"], text=True, capture_output=True, check=True
    )
    return dict(json.loads(out.stdout))


def running_serve(settings: Settings) -> dict[str, Any] | None:
    path = settings.data_dir / "serve.json"
    if not path.exists():
        return None
    info = dict(json.loads(path.read_text()))
    try:
        os.kill(int(info["pid"]), 0)
        ok = httpx.get(f"{info['prefect_api_url']}/health", timeout=2).status_code == 200
    except (OSError, httpx.HTTPError):
        return None
    return info if ok else None


def start_serve(settings: Settings) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    say("Starting the engine (`make serve`): Prefect server, runner, outbox dispatcher, SMTP catcher")
    log = settings.data_dir / "logs" / "serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.serve"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while (info := running_serve(settings)) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the engine did not start; see {log}")
        time.sleep(1)
    print(f"  engine up (log: {log})")
    return proc, info


def wait_for(plan_id: int, what: str, done: Any) -> dict[str, Any]:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while not done(s := status(plan_id)):
        if time.monotonic() > deadline:
            raise SystemExit(f"demo stopped: plan {plan_id} did not reach {what} (state {s['state']})")
        time.sleep(0.5)
    return s


def flow_run_state(api_url: str, run_id: str) -> str:
    response = httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=5)
    state = response.json().get("state") or {}
    return str(state.get("name", "?"))


def wait_suspended(api_url: str, plan_id: int) -> str:
    s = wait_for(plan_id, "a flow run", lambda s: s["flow_run_id"])
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while (name := flow_run_state(api_url, s["flow_run_id"])) != "Suspended":
        if time.monotonic() > deadline:
            raise SystemExit(f"demo stopped: the flow run is {name}, not Suspended")
        time.sleep(0.5)
    return str(s["flow_run_id"])


def check_inbox(settings: Settings, plan_id: int) -> int:
    deliveries = [d for d in status_deliveries(plan_id) if d["email"]]
    mails = [
        m
        for m in read_index(settings.mail_dir)
        if str(m.get("plan_id")) == str(plan_id) and m.get("event") == "distributed"
    ]
    problems = []
    for d in deliveries:
        got = [m for m in mails if d["email"].lower() in [r.lower() for r in m["rcpt_tos"]]]
        if len(got) != 1 or not got[0].get("attachments"):
            problems.append(f"{d['email']}: {len(got)} messages")
    if problems or len(mails) != len(deliveries):
        raise SystemExit("demo check failed: " + "; ".join(problems or [f"{len(mails)} messages"]))
    return len(mails)


def status_deliveries(plan_id: int) -> list[dict[str, Any]]:
    out = subprocess.run(
        [BANHANH, "plan", "deliveries", str(plan_id), "--json"], text=True, capture_output=True, check=True
    )
    return list(json.loads(out.stdout))


def demo_config(settings: Settings, pki: Any = None) -> Path:
    """The demo organisation's config with a [seal]: the demo PKI's organisation key when the demo
    signs digitally, else a local certificate made once under var/seal/."""
    if pki is not None:
        config = settings.data_dir / "demo-pki" / "hamliem.toml"
        text = CONFIG.read_text(encoding="utf-8") + demo_signing.seal_config(pki)
        config.write_text(text, encoding="utf-8")
        return config
    p12 = settings.data_dir / "seal" / "hamliem.p12"
    if not p12.exists():
        say("The operator makes a local sealing certificate (a real office uses the one its CA issued)")
        run("seal", "make-cert", str(p12), "--name", "ĐẢNG ỦY XÃ HÀM LIÊM", "--password", SEAL_PASSWORD)
    config = settings.data_dir / "seal" / "hamliem.toml"
    seal = f'\n[seal]\npkcs12 = "{p12}"\npassword = "{SEAL_PASSWORD}"\n'
    config.write_text(CONFIG.read_text(encoding="utf-8") + seal, encoding="utf-8")
    return config


def received_pdf(settings: Settings, plan_id: int) -> Path:
    """The PDF attached to the first copy a recipient received, saved under var/demo/."""
    mail = next(
        m
        for m in read_index(settings.mail_dir)
        if str(m.get("plan_id")) == str(plan_id) and m.get("event") == "distributed"
    )
    message = email.message_from_bytes(
        (settings.mail_dir / mail["eml"]).read_bytes(), policy=email.policy.default
    )
    part = next(p for p in message.walk() if (p.get_filename() or "").endswith(".pdf"))
    out = settings.data_dir / "demo" / str(part.get_filename())
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    out.write_bytes(payload)
    return out


def check_evidence(settings: Settings, plan_id: int, signed_digitally: bool) -> None:
    pdf = received_pdf(settings, plan_id)
    if signed_digitally:
        say("Anyone can check the PDF a recipient got: both signatures and the document timestamp")
        demo_signing.verify_received(run, pdf)
        say("... and the audit log's head it carries")
    else:
        say("Anyone can check the PDF a recipient got: sealed by the organisation, anchored in the audit log")
        run("seal", "check", str(pdf), "--ca", str(settings.data_dir / "seal" / "hamliem-ca.pem"))
    run("audit", "verify", "--anchor", str(pdf))
    evidence = settings.data_dir / "demo" / f"evidence-{plan_id}.pdf"
    run("audit", "evidence", str(plan_id), "--out", str(evidence))


def play(
    office: Office, settings: Settings, api_url: str, ui: str, sign_with: Sequence[str] = ()
) -> tuple[int, str]:
    """The office's plan from import to issue with the `banhanh` command; (plan id, flow run id)."""
    say(f"The secretariat imports {office.what} (the number comes at issuance)")
    imported = run_json("plan", "import", str(office.plan), "--org", office.key, "--as", office.secretariat)
    plan_id = int(imported["plan"])
    for note in imported["notes"]:
        print(f"  note: {note}")
    if office is PARTY:
        confirm_assignments(settings, plan_id)
    say("The secretariat picks two reviewers (the signer came from the signature block) and submits")
    run(
        "plan",
        "assign",
        str(plan_id),
        "--as",
        office.secretariat,
        "--reviewer",
        office.reviewers[0],
        "--reviewer",
        office.reviewers[1],
    )
    run("plan", "submit", str(plan_id), "--as", office.secretariat)
    run_id = wait_suspended(api_url, plan_id)
    print("  the flow run is suspended while it waits for the reviewers (no process held):")
    print(f"  {ui}/runs/flow-run/{run_id}")
    for reviewer in office.reviewers:
        say(f"Reviewer {reviewer} lists their tasks and approves the version they read")
        tasks = run_json("tasks", "--as", reviewer)
        task = next(t for t in tasks if t["plan"] == plan_id)
        run(
            "review",
            "approve",
            str(plan_id),
            "--as",
            reviewer,
            "--version",
            task["version_hash"],
            "--comment",
            "Đồng ý",
        )
    if sign_with:
        say(f"The signer {office.signer} signs with their own key; the engine issues it (number, seal)")
    else:
        say(f"The signer {office.signer} signs; the official number is allocated")
    task = next(t for t in run_json("tasks", "--as", office.signer) if t["plan"] == plan_id)
    run("plan", "sign", str(plan_id), "--as", office.signer, "--version", task["version_hash"], *sign_with)
    say("The flow run resumes, renders the PDF and distributes it to the Nơi nhận list")
    final = wait_for(plan_id, "issued", lambda s: s["state"] == "issued")
    run("plan", "deliveries", str(plan_id))
    run("mail", "list", "--plan", str(plan_id))
    count = check_inbox(settings, plan_id)
    say(
        f"Done: plan {plan_id} issued as {final['symbol']}; {count} recipients got one email each "
        f"with the PDF attached."
    )
    return plan_id, run_id


def check_signature_lines(settings: Settings, plan_id: int) -> None:
    """The received PDF prints the authority block on its three lines."""
    from pypdf import PdfReader

    say("The PDF a recipient got prints the signature block on three lines, as NĐ 30 lays it out")
    pages = PdfReader(received_pdf(settings, plan_id)).pages
    lines = [" ".join(line.split()) for page in pages for line in page.extract_text().split("\n")]
    wanted = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    found = next((i for i, line in enumerate(lines) if line == wanted[0]), None)
    if found is None or lines[found : found + 3] != wanted:
        raise SystemExit(f"demo check failed: the signature block is not on three lines in plan {plan_id}")
    print("  " + " / ".join(wanted))


def main() -> None:
    settings = Settings()
    started = None
    stack = contextlib.ExitStack()
    pki = None
    info = running_serve(settings)
    if info is None:
        say("The demo makes its own PKI: a CA with an OCSP responder and a timestamp authority (TSA)")
        pki = stack.enter_context(demo_signing.demo_pki(settings.data_dir))
        started, info = start_serve(settings)
    else:
        say(f"Reusing the running engine (Prefect at {info['ui']}): it was started without the demo's TSA,")
        print("  so seed 004 is sealed the older way (stop `make serve` to see both digital signatures)")
    api_url, ui = info["prefect_api_url"], info["ui"]
    try:
        say("The secretariat loads the organisation, its people and address book")
        run("directory", "load", str(demo_config(settings, pki)))
        sign_with: list[str] = []
        if pki is not None:
            say("The office registers the signer's certificate, signature image and the seal image")
            sign_with = demo_signing.sign_args(
                demo_signing.register(run, pki, PARTY.key, PARTY.signer, settings.data_dir)
            )
        party_id, run_id = play(PARTY, settings, api_url, ui, sign_with)
        check_evidence(settings, party_id, pki is not None)
        say("A state body: the commune People's Committee loads its organisation and address book")
        run("directory", "load", str(STATE_CONFIG))
        state_id, _ = play(STATE, settings, api_url, ui)
        check_signature_lines(settings, state_id)
        print(f"  Prefect UI: {ui}/runs/flow-run/{run_id}")
        print(f"  See the mail later with: .venv/bin/banhanh mail list --plan {party_id} --json")
        print(f"  Web app (while make serve runs): {settings.base_url}/plans/{party_id}")
        track_work(settings, party_id)  # last: the demo ends on the plan's tracking grid
    finally:
        if started is not None:
            say("Stopping the engine the demo started")
            os.killpg(started.pid, signal.SIGINT)
            try:
                started.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(started.pid, signal.SIGKILL)
        stack.close()


# --- after issuance: seed 004's assignments become tracked work


LEAD = "dangu-ubnd@hamliem.example.vn"  # Đảng ủy UBND xã, the first assignment's lead unit
TRACKING_LINK = re.compile(r"https?://\S+/tracking/[A-Za-z0-9_-]+")


def _assignments(drafted: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The secretariat's edit of seed 004's drafted assignments: each unit as its address-book code,
    the cadence "định kỳ" made quarterly or half-yearly, the propaganda's sơ kết and tổng kết dated."""
    whats = [a["what"] for a in drafted]
    if len(whats) != 3:
        raise SystemExit(f"demo stopped: seed 004 gives {len(whats)} assignments, the demo expects 3")
    return [
        {
            "lead": "du-ubnd",
            "follower": "bxdd",
            "what": whats[0],
            "deadline": "cadence",
            "cadence": "quarterly",
        },
        {
            "lead": "bxdd",
            "supporting": ["cq-tham-muu"],
            "follower": "bxdd",
            "what": whats[1],
            "deadline": "cadence",
            "cadence": "half_yearly",
        },
        {
            "lead": "mttq",
            "supporting": ["hoi-nong-dan", "hoi-phu-nu", "doan-tn"],
            "follower": "bxdd",
            "what": whats[2],
            "deadline": "milestone",
            "milestones": ["so_ket", "tong_ket"],
            "milestone_dates": {
                "so_ket": (today + timedelta(days=182)).isoformat(),
                "tong_ket": (today + timedelta(days=365)).isoformat(),
            },
        },
    ]


def confirm_assignments(settings: Settings, plan_id: int) -> None:
    """Before submission: the assignments drafted from "Tổ chức thực hiện", confirmed with the units
    of the address book, go into the version the reviewers approve."""
    say('The secretariat confirms the assignments drafted from the plan\'s "Tổ chức thực hiện"')
    drafted = run_json("tracking", "draft", "--plan", str(plan_id))
    edited = settings.data_dir / "demo" / f"assignments-{plan_id}.json"
    edited.parent.mkdir(parents=True, exist_ok=True)
    items = _assignments(drafted, date.today())
    edited.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    run("tracking", "confirm", str(plan_id), "--as", SECRETARIAT, "--file", str(edited))


def _assignment_link(settings: Settings, plan_id: int, to: str) -> str:
    """The link in the assignment email the unit received, once the dispatcher has sent it."""
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while time.monotonic() < deadline:
        for m in read_index(settings.mail_dir):
            if (
                str(m.get("plan_id")) == str(plan_id)
                and m.get("event") == "assignment"
                and to in m["rcpt_tos"]
            ):
                raw = (settings.mail_dir / m["eml"]).read_bytes()
                message = email.message_from_bytes(raw, policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",))
                found = TRACKING_LINK.search(body.get_content() if body is not None else "")
                if found:
                    return found.group(0)
        time.sleep(0.5)
    raise SystemExit(f"demo stopped: no assignment email reached {to}")


def track_work(settings: Settings, plan_id: int) -> None:
    """The issued plan's work: each lead unit got its assignment by email; one acknowledges and
    reports; the grid shows where the plan stands."""
    say("Issued, the plan's work begins: each lead unit got its assignment by email, with a link")
    link = _assignment_link(settings, plan_id, LEAD)
    sent = [
        m
        for m in read_index(settings.mail_dir)
        if str(m.get("plan_id")) == str(plan_id) and m.get("event") == "assignment"
    ]
    print(f"  {len(sent)} assignment emails; Đảng ủy UBND xã's link: {link}")
    say("Đảng ủy UBND xã acknowledges and sends its first quarterly report")
    run("tracking", "ack", str(plan_id), "--unit", "du-ubnd", "--as", LEAD)
    row = next(r for r in run_json("tracking", "show", str(plan_id)) if r["unit_code"] == "du-ubnd")
    period = row["periods"][0]["period_id"]
    run(
        "tracking",
        "report",
        str(period),
        "--as",
        LEAD,
        "--text",
        "Đã ban hành kế hoạch thực hiện; triển khai đến 12 chi bộ trực thuộc, 3 hội nghị quán triệt.",
    )
    run("audit", "verify")  # the report and the acknowledgement are in the chain
    say("Where the plan's work stands: each lead unit × period")
    run("tracking", "show", str(plan_id))
    print(f"  On the web (while make serve runs): {settings.base_url}/plans/{plan_id}#tracking")


if __name__ == "__main__":
    main()
