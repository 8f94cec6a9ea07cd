"""Browser fixtures: the real `nisa` server on demo data, driven by Debian's Chromium (sync Playwright)."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from nisa.demo.people import DEMO_LOGINS
from tests.processes import answers_ready, stop_process

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_TIMEOUT = 30.0
# Short enough that a broken page fails the test in seconds, long enough for a slow CI machine.
ACTION_TIMEOUT_MS = 10_000

SERVER_LOG = pytest.StashKey[Path]()
LIVE_DATABASE_URL = pytest.StashKey[str]()

SignIn = Callable[[Page, str], None]


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    """Autouse, so it runs before the server and the browser are started."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _nisa(env: dict[str, str], *args: str) -> None:
    """Run a `nisa` command as an operator would; show its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "nisa.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"nisa {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes] | None:
    """Starts `nisa serve` on the port and waits until it answers; None if another process took the port."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "nisa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    # Other test sessions may run servers on this machine: only our own server's readiness counts,
    # so also wait for uvicorn to say it has bound the port.
    bound = f"Uvicorn running on http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            if "address already in use" in log.read_text():
                return None
            pytest.fail(f"nisa serve exited with {server.returncode}:\n{log.read_text()}")
        if bound in log.read_text() and answers_ready(f"http://127.0.0.1:{port}"):
            return server
        time.sleep(0.2)
    stop_process(server, timeout=10)
    pytest.fail(f"nisa serve was not ready within {READY_TIMEOUT:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[str]:
    """The base URL of `nisa serve` on a freshly migrated SQLite database with demo data."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = os.environ | {
        "NISA_ENV": "development",
        "NISA_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'nisa.db'}",
        "NISA_DATA_DIR": str(data_dir),
        "NISA_SECRET_KEY": secrets.token_urlsafe(48),
        "NISA_DEFAULT_LANGUAGE": "km",
        "NISA_LOG_LEVEL": "INFO",  # uvicorn's "running on" line and the access log, shown when a test fails
    }
    pytestconfig.stash[LIVE_DATABASE_URL] = env["NISA_DATABASE_URL"]
    _nisa(env, "db", "upgrade")
    _nisa(env, "demo")  # the small demo: its logins, cohorts and certificates (no national data set)
    log = pytestconfig.stash[SERVER_LOG] = data_dir / "server.log"
    for _attempt in range(3):  # a free port can be taken between our probe and the server's bind
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = _start_server(env | {"NISA_BASE_URL": url}, port, log)
        if server is not None:
            break
    else:
        pytest.fail(f"nisa serve found no free port:\n{log.read_text()}")
    try:
        yield url
    finally:
        stop_process(server, timeout=10)


# Package scope, not session: between two sync calls Playwright leaves its own event loop marked as
# running in this thread, so pytest-asyncio's session loop cannot run the async tests of tests/integration
# and tests/unit while the driver is alive ("Runner.run() cannot be called from a running event loop").
# Stopping Playwright when tests/browser is done clears that.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Opens a page in a new browser context (own cookies): new_page(viewport={...}); all closed after."""
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Page:
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page on the live server in its own context; on failure, a screenshot and the server's log."""
    opened = new_page()
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        if not opened.is_closed():
            print(f"screenshot: {save_screenshot(opened, f'FAILED-{request.node.name}.png')}")
        log = request.config.stash.get(SERVER_LOG, None)
        if log is not None and log.exists():
            print("server log (last 60 lines):", *log.read_text().splitlines()[-60:], sep="\n")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keeps each phase's report on the test, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Kept in test-artifacts/screenshots/ (git-ignored) as evidence of what the browser showed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def demo_login(role: str) -> tuple[str, str]:
    """The first demo login with this role: (email, password)."""
    return next((email, password) for demo_role, email, password in DEMO_LOGINS if demo_role == role)


def sign_in_through_form(page: Page, email: str, password: str) -> None:
    """Types the credentials into the sign-in form and submits it, as a person would."""
    page.goto("/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()


@pytest.fixture(scope="session")
def live_database_url(live_server: str, pytestconfig: pytest.Config) -> str:
    """The live server's database, for tests that write what the demo data lacks (e.g. an expired one)."""
    return pytestconfig.stash[LIVE_DATABASE_URL]


@pytest.fixture
def sign_in(live_server: str) -> SignIn:
    """sign_in(page, "admin"): signs in as that demo role and waits for the home page."""

    def sign_in_as(page: Page, role: str) -> None:
        sign_in_through_form(page, *demo_login(role))
        page.wait_for_url(f"{live_server}/")

    return sign_in_as
