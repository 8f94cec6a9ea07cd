"""Benchmark: how soon a freshly started `nisa serve` answers its first request (the sign-in page), on a
national database.

    .venv/bin/python -m bench.startup [--database sqlite|postgresql] [--trainees 1000] [--starts 3]

Timed from the moment the process is started (`nisa serve` checks the signing key and that the schema is
current, then uvicorn imports and builds the app) until GET /login answers 200; polled every 10 ms.
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bench.common import Backend, environment
from bench.national import national_arguments, national_run
from bench.pages import app_settings
from foundation.settings import Settings
from tests.postgres import free_port
from tests.processes import stop_process

POLL_SECONDS = 0.01
GIVE_UP_SECONDS = 60


def first_answer_seconds(settings: Settings, log: Path) -> float:
    """Start the app and return the seconds until its first answer; the process is stopped afterwards."""
    port = free_port()
    nisa = Path(sys.executable).parent / "nisa"
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(nisa), "serve", "--port", str(port)],
            env=os.environ | environment(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            while time.perf_counter() - started < GIVE_UP_SECONDS:
                if process.poll() is not None:
                    raise RuntimeError(f"the app stopped while starting:\n{log.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                        if answer.status == 200:
                            return time.perf_counter() - started
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(POLL_SECONDS)
            raise RuntimeError(f"no answer within {GIVE_UP_SECONDS} s")
        finally:
            stop_process(process)


def startups(settings: Settings, folder: Path, count: int) -> list[float]:
    return [first_answer_seconds(settings, folder / f"startup-{n}.log") for n in range(count)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n")[0])
    national_arguments(parser)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    backend: Backend = args.database
    with national_run(backend, args.trainees) as (copy, folder):
        seconds = startups(app_settings(copy, folder), folder, args.starts)
    print(f"first answer after start on {backend}: " + ", ".join(f"{s:.2f} s" for s in seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
