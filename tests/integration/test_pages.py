"""Pages every visitor meets: health, security headers, error pages in both languages, the web font."""

import asyncio
import re
import subprocess
import sys

import pytest
from alembic import command

from foundation.database import (
    SCHEMA_HEAD,
    DatabaseNotMigrated,
    alembic_config,
    code_heads,
    create_engine,
    ensure_migrated,
)
from tests.conftest import ROOT, use_english


async def test_health(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    assert (await client.get("/health/ready")).json() == {"status": "ok"}


async def test_security_headers_on_pages_and_on_404(client):
    for path in ("/login", "/no-such-page", "/static/css/app.css"):
        headers = (await client.get(path)).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


async def test_404_page_in_khmer_and_english(client):
    khmer = await client.get("/no-such-page")
    assert khmer.status_code == 404 and 'lang="km"' in khmer.text
    await use_english(client)
    english = await client.get("/no-such-page")
    assert english.status_code == 404 and "Page not found" in english.text
    api = await client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


async def test_language_switch_is_remembered(client):
    token = (await client.get("/login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    response = await client.post("/language", data={"language": "en", "next": "/login", "_csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.cookies["nisa_lang"] == "en"
    assert 'lang="en"' in (await client.get("/login")).text
    bad = await client.post(
        "/language", data={"language": "fr", "next": "https://evil.example", "_csrf_token": token}
    )
    assert bad.headers["location"] == "/" and client.cookies["nisa_lang"] == "en"


async def test_khmer_font_and_static_files_are_served_with_long_caching(client):
    font = await client.get("/fonts/noto-sans-khmer.ttf")
    assert font.status_code == 200 and font.content[:4] == b"\x00\x01\x00\x00"
    assert "max-age=31536000" in font.headers["cache-control"]
    css = await client.get("/static/css/app.css")
    assert "Noto Sans Khmer" in css.text and "max-age=31536000" in css.headers["cache-control"]


@pytest.mark.parametrize("page", ["/", "/login", "/verify", "/api/docs"])
async def test_every_layout_names_its_icon_so_browsers_do_not_ask_for_favicon_ico(client, page):
    html = (await client.get(page)).text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, f"{page} names no icon"
    served = await client.get(icon.group(1))
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg+xml")


async def test_unmigrated_database_is_refused_with_the_command_to_run(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    try:
        await ensure_migrated(engine)
        raise AssertionError("an empty database was accepted")
    except DatabaseNotMigrated as refused:
        assert "nisa db upgrade" in str(refused)
    finally:
        await engine.dispose()
    serve = subprocess.run(
        [sys.executable, "-m", "nisa.cli", "serve"],
        env={
            "NISA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/empty.db",
            "NISA_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert serve.returncode != 0 and "nisa db upgrade" in serve.stderr


def test_production_start_without_secret_key_is_refused(tmp_path):
    serve = subprocess.run(
        [sys.executable, "-m", "nisa.cli", "serve"],
        env={"NISA_ENV": "production", "NISA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert serve.returncode != 0 and "NISA_SECRET_KEY is not set" in serve.stderr


async def test_unexpected_error_gives_a_friendly_500_without_details(app, client):
    from litestar import get

    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.register(boom)
    response = await client.get("/boom")
    assert response.status_code == 500 and 'lang="km"' in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    await use_english(client)
    english = await client.get("/boom")
    assert "Something went wrong on our side" in english.text


def test_the_schema_the_code_needs_is_the_newest_migration():
    assert code_heads() == {SCHEMA_HEAD}, "new migration: set foundation.database.SCHEMA_HEAD"


async def test_a_database_one_migration_behind_is_refused(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/behind.db"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")  # Alembic runs its own loop
    engine = create_engine(url)
    try:
        await ensure_migrated(engine)  # at the head: accepted
        await asyncio.to_thread(command.downgrade, alembic_config(url), "-1")
        try:
            await ensure_migrated(engine)
            raise AssertionError("a database one migration behind was accepted")
        except DatabaseNotMigrated as refused:
            assert SCHEMA_HEAD in str(refused) and "nisa db upgrade" in str(refused)
    finally:
        await engine.dispose()
