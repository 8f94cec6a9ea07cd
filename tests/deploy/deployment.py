"""The production shape on loopback for the deploy proof: PostgreSQL, `nisa serve` instances and nginx."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.postgres import free_port
from tests.processes import answers_ready, stop_process

ROOT = Path(__file__).resolve().parents[2]
SITE_FILE = ROOT / "deploy" / "nginx" / "nisa.conf"
START_TIMEOUT = 60.0
# nginx names the instance (or instances, when it retried) that answered: the test's own header, added
# around the shipped site file, which has no add_header of its own and so inherits it.
UPSTREAM_HEADER = "x-upstream"
PORT_TAKEN = "ddress already in use"  # uvicorn's "address ...", nginx's "Address ..."


def find_nginx() -> Path | None:
    # Debian puts it in /usr/sbin, which is not on an ordinary user's PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    return Path(found) if found else None


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"not listening on {port} within {START_TIMEOUT:.0f} s:\n{log.read_text()}")


@dataclass
class AppInstance:
    """One `nisa serve` process on its own port, started exactly as an operator's unit file starts it."""

    env: dict[str, str]
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """As nginx names it in $upstream_addr."""
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / f"web-{self.port}.log"

    def start(self) -> None:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "nisa.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        """Until it answers /health/ready; on another port if another process took this one meanwhile."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                if PORT_TAKEN not in self.log.read_text():
                    raise RuntimeError(
                        f"nisa serve exited with {self.process.returncode}:\n{self.log.read_text()}"
                    )
                self.port = free_port()
                self.start()
            # Only our own server counts, not another test's that may answer on the port.
            elif f"Uvicorn running on {self.url}" in self.log.read_text() and answers_ready(self.url):
                return
            time.sleep(0.2)
        raise RuntimeError(f"nisa serve not ready within {START_TIMEOUT:.0f} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, in-flight requests die with it, as in a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=10)


def nginx_config(folder: Path, port: int, instances: list[AppInstance]) -> Path:
    """nginx.conf for a throwaway nginx: the shipped site file, listening on a loopback port, with an
    upstream of our instances in place of the shipped one (whose ports are production's)."""
    production_listen = r"^\s*listen 80;\n\s*listen \[::\]:80;\n"
    site, listens = re.subn(
        production_listen, f"    listen 127.0.0.1:{port};\n", SITE_FILE.read_text(), flags=re.M
    )
    if listens != 1:
        raise AssertionError(f"{SITE_FILE} no longer has the `listen 80;` lines this test replaces")
    (folder / "nisa.conf").write_text(site)
    servers = "".join(f"    server {i.address} max_fails=1 fail_timeout=10s;\n" for i in instances)
    upstream = f"upstream nisa_web {{\n{servers}    keepalive 32;\n    keepalive_timeout 4s;\n}}\n"
    # As root, nginx's workers would run as `nobody`, which cannot enter pytest's private temp folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  access_log {folder}/access.log;\n"
        f"  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fastcgi;\n  uwsgi_temp_path {folder}/uwsgi;\n"
        f"  scgi_temp_path {folder}/scgi;\n"
        f"  add_header {UPSTREAM_HEADER} $upstream_addr always;\n"
        f"  {upstream}"
        f"  include {folder}/nisa.conf;\n"
        "}\n"
    )
    return config


@dataclass
class Nginx:
    binary: Path
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, instances: list[AppInstance]) -> None:
        """Check the configuration with `nginx -t`, start, and wait until it answers."""
        for _attempt in range(3):
            config = nginx_config(self.folder, self.port, instances)
            errors = self.folder / "error.log"
            command = [str(self.binary), "-p", str(self.folder), "-c", str(config), "-e", str(errors)]
            checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
            if checked.returncode != 0:
                raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_for_port(self.port, self.process, errors)
                return
            except RuntimeError:
                if PORT_TAKEN not in errors.read_text():
                    raise
                # Taken by another process since we chose it (the instances' NISA_BASE_URL then names
                # the old port, which only links and QR codes use).
                self.port = free_port()
        raise RuntimeError("nginx found no free port")

    def stop(self) -> None:
        if self.process is not None:  # SIGQUIT is nginx's graceful stop: finish requests, then exit
            stop_process(self.process, asking=signal.SIGQUIT, timeout=10)
