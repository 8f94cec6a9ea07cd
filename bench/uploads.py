"""Benchmark: hostile uploads (tests/hostile_files.py), each read as the upload pages read it; the worst case
per file type, in CPU time and peak memory (tracemalloc), against the bounds of foundation.files.

    .venv/bin/python -m bench.uploads

Each file must be refused in under a second and 50 MB: a PASS/FAIL line per file type.
"""

import sys
import time
import tracemalloc
from contextlib import suppress

from bench.common import print_table, verdict
from foundation.files import FileRejected
from foundation.i18n import current_language
from tests.hostile_files import HOSTILE

TARGET_SECONDS = 1.0
TARGET_MB = 50.0


def measure(filename: str, reader, content: bytes) -> tuple[float, float, bool]:  # type: ignore[no-untyped-def]
    """CPU seconds and peak megabytes of reading the file once (measured apart: tracing slows the reading),
    and whether it was refused."""
    started = time.process_time()
    try:
        reader(filename, content)
        refused = False
    except FileRejected:
        refused = True
    seconds = time.process_time() - started
    tracemalloc.start()
    with suppress(FileRejected):
        reader(filename, content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6, refused


def main() -> int:
    current_language.set("en")
    rows: list[list[object]] = []
    worst: dict[str, tuple[float, float, bool]] = {}
    for what, (filename, reader, make) in HOSTILE.items():
        content = make()
        seconds, megabytes, refused = measure(filename, reader, content)
        size = f"{len(content) / 1024:,.0f} KB"
        rows.append([what, size, f"{seconds:.3f} s", f"{megabytes:.1f} MB", "yes" if refused else "NO"])
        kind = what.split(":")[0]
        most_seconds, most_megabytes, all_refused = worst.get(kind, (0.0, 0.0, True))
        worst[kind] = (max(most_seconds, seconds), max(most_megabytes, megabytes), all_refused and refused)
    print_table(["hostile file", "size", "CPU", "peak memory", "refused"], rows, out=sys.stderr)
    failed = False
    for kind, (seconds, megabytes, refused) in worst.items():
        passed = refused and seconds < TARGET_SECONDS and megabytes < TARGET_MB
        failed |= not passed
        target = f"< {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB each, all refused"
        print(f"{kind} worst case {seconds:.3f} s, {megabytes:.1f} MB (target {target}) {verdict(passed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
