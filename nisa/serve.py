"""`nisa run`: the web server and the scheduler as two child processes of one command, stopped together."""

import signal
import subprocess
import sys
import time
from types import FrameType

# After one child has stopped, how long the other may take to finish before it is killed.
STOP_TIMEOUT_SECONDS = 15


def nisa_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "nisa.cli", *arguments]


def run_together(commands: list[list[str]]) -> int:
    """Start every command; on SIGINT (Ctrl-C) or SIGTERM pass the signal on to each, and when one of them
    ends by itself, stop the others. Returns the exit status of the one that ended by itself, or else the
    first non-zero status, or 0. A child that stopped because it was passed our signal stopped as asked: that
    is 0 (a service manager stopping `nisa run` with SIGTERM sees a clean exit)."""
    # Each child in a process group of its own: Ctrl-C reaches only us, and each child hears it once, from us.
    children = [subprocess.Popen(command, process_group=0) for command in commands]
    signalled = 0

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal signalled
        signalled = signum
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not signalled and all(child.poll() is None for child in children):
            time.sleep(0.2)
        ended = [child for child in children if child.returncode is not None]
        if not signalled:
            for child in children:
                if child.poll() is None:
                    child.terminate()
        for child in children:
            try:
                child.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if ended and not signalled:
        return ended[0].returncode
    return next((child.returncode for child in children if child.returncode not in (0, -signalled)), 0)
