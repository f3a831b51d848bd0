"""`make demo`: seed 004 from import to every recipient's inbox, on the embedded default.

Reuses a running `make serve` or starts its own. The human steps are done with the
`banhanh` command, as the secretariat, the reviewers and the signer would.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

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


def demo_config(settings: Settings) -> Path:
    """The demo organisation's config with a [seal]: a local certificate made once under var/seal/."""
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


def check_evidence(settings: Settings, plan_id: int) -> None:
    say("Anyone can check the PDF a recipient got: sealed by the organisation, and anchored in the audit log")
    pdf = received_pdf(settings, plan_id)
    run("seal", "check", str(pdf), "--ca", str(settings.data_dir / "seal" / "hamliem-ca.pem"))
    run("audit", "verify", "--anchor", str(pdf))
    evidence = settings.data_dir / "demo" / f"evidence-{plan_id}.pdf"
    run("audit", "evidence", str(plan_id), "--out", str(evidence))


def main() -> None:
    settings = Settings()
    started = None
    info = running_serve(settings)
    if info is None:
        started, info = start_serve(settings)
    else:
        say(f"Reusing the running engine (Prefect at {info['ui']})")
    api_url, ui = info["prefect_api_url"], info["ui"]
    try:
        say("The secretariat loads the organisation, its people and address book")
        run("directory", "load", str(demo_config(settings)))
        say("The secretariat imports seed 004 (the number comes at signing)")
        imported = run_json("plan", "import", str(SEED), "--org", "hamliem", "--as", SECRETARIAT)
        plan_id = int(imported["plan"])
        for note in imported["notes"]:
            print(f"  note: {note}")
        say("The secretariat picks two reviewers (the signer came from the signature block) and submits")
        run(
            "plan",
            "assign",
            str(plan_id),
            "--as",
            SECRETARIAT,
            "--reviewer",
            REVIEWERS[0],
            "--reviewer",
            REVIEWERS[1],
        )
        run("plan", "submit", str(plan_id), "--as", SECRETARIAT)
        run_id = wait_suspended(api_url, plan_id)
        print("  the flow run is suspended while it waits for the reviewers (no process held):")
        print(f"  {ui}/runs/flow-run/{run_id}")
        for reviewer in REVIEWERS:
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
        say(f"The signer {SIGNER} signs; the official number is allocated")
        task = next(t for t in run_json("tasks", "--as", SIGNER) if t["plan"] == plan_id)
        run("plan", "sign", str(plan_id), "--as", SIGNER, "--version", task["version_hash"])
        say("The flow run resumes, renders the PDF and distributes it to the Nơi nhận list")
        final = wait_for(plan_id, "issued", lambda s: s["state"] == "issued")
        run("plan", "deliveries", str(plan_id))
        run("mail", "list", "--plan", str(plan_id))
        count = check_inbox(settings, plan_id)
        check_evidence(settings, plan_id)
        say(
            f"Done: plan {plan_id} issued as {final['symbol']}; {count} recipients got one email each "
            f"with the PDF attached."
        )
        print(f"  Prefect UI: {ui}/runs/flow-run/{run_id}")
        print(f"  See the mail later with: .venv/bin/banhanh mail list --plan {plan_id} --json")
        print(f"  Web app (while make serve runs): {settings.base_url}/plans/{plan_id}")
    finally:
        if started is not None:
            say("Stopping the engine the demo started")
            os.killpg(started.pid, signal.SIGINT)
            try:
                started.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(started.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
