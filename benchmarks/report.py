"""What every benchmark prints and writes: the machine line, a plain table, and its own marked
section of docs/benchmarks.md (replaced on each ``--write-docs`` run)."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["DOCS", "ROOT", "machine", "markdown_table", "print_table", "write_docs"]

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
DOCS_HEADER = "# Benchmarks\n\nEach section below is written by the benchmark command it names; rerun it, don't edit.\n"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    cpu = model[1] if model else platform.processor() or "unknown CPU"
    return f"nproc {os.cpu_count()}, {cpu}; Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


def print_table(headings: Sequence[str], table: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [headings, *table]) for i in range(len(headings))]
    for row in [headings, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def markdown_table(headings: Sequence[str], table: Sequence[Sequence[str]]) -> list[str]:
    return [f"| {' | '.join(headings)} |", f"|{'---|' * len(headings)}", *(f"| {' | '.join(r)} |" for r in table)]


def write_docs(name: str, section: str) -> None:
    """Replace the section marked ``<!-- bench:<name>:start/end -->`` of docs/benchmarks.md, or append it."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = DOCS.read_text() if DOCS.exists() else DOCS_HEADER
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text)
