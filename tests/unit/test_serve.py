"""`nisa run` stopped by a service manager's SIGTERM exits cleanly, and a child's own failure still shows."""

import signal
import subprocess
import sys
import time

RUN_TOGETHER = "import sys; from nisa.serve import run_together; sys.exit(run_together({commands!r}))"
SLEEPER = ["sleep", "30"]


def _start(commands: list[list[str]]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", RUN_TOGETHER.format(commands=commands)])


def test_stopped_with_sigterm_exits_zero_even_when_children_die_of_the_signal() -> None:
    together = _start([SLEEPER, SLEEPER])  # `sleep` dies of SIGTERM, as a child without a handler would
    time.sleep(1)
    together.send_signal(signal.SIGTERM)
    assert together.wait(timeout=20) == 0


def test_a_child_that_fails_by_itself_gives_its_status_and_stops_the_other() -> None:
    together = _start([SLEEPER, [sys.executable, "-c", "import sys; sys.exit(3)"]])
    assert together.wait(timeout=20) == 3
