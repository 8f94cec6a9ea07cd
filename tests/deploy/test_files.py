"""The files in deploy/ agree with the code: nginx accepts the site, the commands they run exist, and every
setting is documented where operators look."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from foundation.settings import Settings
from nisa.cli import nisa
from tests.deploy.deployment import ROOT, find_nginx

DEPLOY = ROOT / "deploy"
TEST_ONLY_SETTINGS = {"scheduler_jobs"}


def test_nginx_accepts_the_site_and_its_upstream(tmp_path: Path) -> None:
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed here: apt-get install nginx")
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        f"  include {DEPLOY}/nginx/nisa-upstream.conf;\n  include {DEPLOY}/nginx/nisa.conf;\n}}\n"
    )
    checked = subprocess.run(
        [str(nginx), "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def _commands_of_compose() -> list[list[str]]:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    found = []
    for service in services.values():
        command = service.get("command") or []
        if command[:2] == ["sh", "-c"]:
            found += [shlex.split(part) for part in command[2].split("&&")]
        elif command:
            found.append(command)
    return found


def _commands_of_units() -> list[list[str]]:
    lines = (
        line for unit in (DEPLOY / "systemd").glob("*.service") for line in unit.read_text().splitlines()
    )
    return [shlex.split(line.removeprefix("ExecStart=")) for line in lines if line.startswith("ExecStart=")]


def test_every_nisa_command_in_deploy_exists() -> None:
    """A renamed command or option would otherwise surface only on a production machine."""
    commands = [c for c in _commands_of_compose() + _commands_of_units() if Path(c[0]).name == "nisa"]
    assert {c[1] for c in commands} >= {"serve", "scheduler", "db", "keys"}
    for command in commands:
        # The unit's "%i" is systemd's instance name: a port.
        args = [arg.replace("%i", "8001") for arg in command[1:]]
        checked = CliRunner().invoke(nisa, [*args, "--help"])
        assert checked.exit_code == 0, f"{shlex.join(command)}: {checked.output}"


@pytest.mark.parametrize("document", ["README.md", "deploy/README.md", "deploy/env.example"])
def test_every_setting_is_documented(document: str) -> None:
    text = (ROOT / document).read_text()
    # The operator's environment file leaves out what only the test suite sets.
    names = set(Settings.model_fields) - (TEST_ONLY_SETTINGS if document.endswith("env.example") else set())
    missing = sorted(
        f"NISA_{name.upper()}" for name in names if not re.search(rf"\bNISA_{name.upper()}\b", text)
    )
    assert not missing, f"{document} does not mention {missing}"


def test_the_image_installs_what_the_app_reads_beside_its_packages() -> None:
    """The app reads templates/ and migrations/ next to its packages: the image and the build context
    must carry both."""
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    ignored = (ROOT / ".dockerignore").read_text()
    for folder in (
        "foundation",
        "people",
        "courses",
        "training",
        "certificates",
        "nisa",
        "templates",
        "migrations",
    ):
        assert f"COPY {folder} {folder}" in dockerfile
        assert f"!{folder}/" in ignored
