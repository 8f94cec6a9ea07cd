"""Server processes that tests and benchmarks start: whether the app answers ready, and stopping one."""

import signal
import subprocess
import urllib.error
import urllib.request


def answers_ready(url: str) -> bool:
    """Whether the app at this address answers GET /health/ready with 200 (within 2 s)."""
    try:
        with urllib.request.urlopen(f"{url}/health/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop_process(
    process: subprocess.Popen[bytes], *, asking: signal.Signals = signal.SIGTERM, timeout: float = 15
) -> None:
    """Ask a process to stop (`asking`: SIGTERM, or nginx's graceful SIGQUIT), and SIGKILL it if it has not
    stopped after `timeout` seconds. Nothing if it has already ended."""
    if process.poll() is not None:
        return
    process.send_signal(asking)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
