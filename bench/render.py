"""Render time of each seed to PDF: the first render in a fresh process, then the median of several.

Run with `make bench` (BENCH_RENDER_REPEAT, 7). Each seed is parsed once, as `banhanh document
render` does, and rendered with WeasyPrint; the importer's time is reported beside it.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.waiting import write_section
from cli.documents import read_document
from documents.render import DocumentView

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
HEADING = "## Render time of each seed to PDF"


@dataclass(frozen=True)
class RenderTime:
    seed: str
    parse_ms: float
    first_s: float
    median_s: float
    pages: int
    pdf_kb: float


def measure(seed: Path, repeat: int) -> RenderTime:
    from pypdf import PdfReader

    from documents.render import render_pdf

    start = time.perf_counter()
    view = DocumentView.from_draft(read_document(seed).draft)
    parse_ms = (time.perf_counter() - start) * 1000
    times, pdf = [], b""
    for _ in range(repeat + 1):
        start = time.perf_counter()
        pdf = render_pdf(view)
        times.append(time.perf_counter() - start)
    return RenderTime(
        seed.name,
        round(parse_ms, 1),
        round(times[0], 3),
        round(statistics.median(times[1:]), 3),
        len(PdfReader(io.BytesIO(pdf)).pages),
        round(len(pdf) / 1024, 1),
    )


def report_markdown(results: list[RenderTime], repeat: int, command: str) -> str:
    import weasyprint

    rows = "\n".join(
        f"| {r.seed} | {r.parse_ms} ms | {r.first_s} s | {r.median_s} s | {r.pages} | {r.pdf_kb} KB |"
        for r in results
    )
    return (
        f"{HEADING}\n\n"
        f"Command: `{command}` · machine: {os.cpu_count()} cores, {platform.platform()} · Python "
        f"{platform.python_version()} · WeasyPrint {weasyprint.__version__} · load average "
        f"{os.getloadavg()[0]:.1f}\n\n"
        f"Each seed parsed once, then rendered to PDF {repeat + 1} times in one process: the first "
        f"render (fonts and styles loaded) and the median of the next {repeat}.\n\n"
        "| seed | parse | first render | median render | pages | PDF size |\n|---|---|---|---|---|---|\n"
        f"{rows}\n"
    )


def main() -> None:
    repeat = int(os.environ.get("BENCH_RENDER_REPEAT", "7"))
    results = [measure(seed, repeat) for seed in sorted(SEEDS.glob("*.txt"))]
    text = report_markdown(results, repeat, "make bench")
    print(text)
    write_section(Path("BENCHMARKS.md"), HEADING, text)


if __name__ == "__main__":
    main()
