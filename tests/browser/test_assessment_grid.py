"""A trainer records a whole 11 x 8 assessment grid by keyboard alone; a phone shows one trainee at a time."""

import asyncio
import re
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from courses.models import Competency
from foundation.clock import today
from foundation.database import create_engine, create_sessionmaker
from people.models import User
from tests.browser.conftest import SignIn, demo_login, save_screenshot
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee

pytestmark = pytest.mark.browser

TRAINEES, COMPETENCIES = 11, 8
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}


@dataclass(frozen=True)
class Group:
    cohort_id: int
    enrolment_ids: list[int]  # in the grid's order (by Latin name)
    competency_ids: list[int]  # in the grid's order


async def _make_group(database_url: str) -> Group:
    """11 trainees, a course of 8 competencies, taught by the demo trainer since yesterday."""
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as db:
        trainer = await db.execute(select(User.id).where(User.email == demo_login("trainer")[0]))
        trainer_id = trainer.scalar_one()
        framework = await make_framework(db, domains=2, per_domain=COMPETENCIES // 2)
        competencies = await db.execute(
            select(Competency.id)
            .where(Competency.framework_id == framework.id)
            .order_by(Competency.domain_id, Competency.position)
        )
        competency_ids = list(competencies.scalars())
        course = await make_course(db, competency_ids=competency_ids)
        cohort = await make_cohort(
            db, course, trainer_ids=[trainer_id], start=today() - timedelta(days=1), status="running"
        )
        trainees = [
            await make_trainee(db, name_latin=f"Grid Trainee {chr(64 + n)}", phone=f"+85599{n:06d}")
            for n in range(1, TRAINEES + 1)
        ]
        enrolments = [await enrol(db, cohort, trainee) for trainee in trainees]
        group = Group(int(cohort.id or 0), [int(e.id or 0) for e in enrolments], competency_ids)
    await engine.dispose()
    return group


@pytest.fixture(scope="module")
def group(live_database_url: str) -> Group:
    # Playwright keeps its own event loop on this thread: the factories run on a thread of their own.
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, _make_group(live_database_url)).result()


def _attempts(live_database_url: str, group: Group) -> list[tuple[int, int, str, str]]:
    path = live_database_url.split(":///", 1)[1]
    marks = ",".join("?" * len(group.enrolment_ids))
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT enrolment_id, competency_id, result, method FROM assessment"
            f" WHERE enrolment_id IN ({marks})",
            group.enrolment_ids,
        )
        return list(rows)


def expected(row: int, column: int) -> str:
    return "not_yet_competent" if (row + column) % 5 == 0 else "competent"


def test_a_trainer_records_the_whole_grid_by_keyboard(
    new_page: Callable[..., Page], sign_in: SignIn, group: Group, live_database_url: str
) -> None:
    page = new_page(viewport=DESKTOP)
    sign_in(page, "trainer")
    page.goto(f"/cohorts/{group.cohort_id}/assessments")
    page.locator("#f-method").select_option("case_study")  # set once for the screen
    cells = page.locator(".assessment-grid select.result")
    expect(cells).to_have_count(TRAINEES * COMPETENCIES)
    cells.first.focus()
    # Row by row, snaking: Tab to the right on even rows, the left arrow back on odd ones, down to the next.
    for row in range(TRAINEES):
        columns = list(range(COMPETENCIES)) if row % 2 == 0 else list(reversed(range(COMPETENCIES)))
        for step, column in enumerate(columns):
            page.keyboard.press("n" if expected(row, column) == "not_yet_competent" else "c")
            if step < COMPETENCIES - 1:
                page.keyboard.press("Tab" if row % 2 == 0 else "ArrowLeft")
        if row < TRAINEES - 1:
            page.keyboard.press("ArrowDown")
    expect(page.locator(".assessment-grid .cell-state .saved")).to_have_count(TRAINEES * COMPETENCIES)
    expect(page.locator(".assessment-grid .cell-state .error")).to_have_count(0)
    save_screenshot(page, "assessment-grid-1366.png")

    attempts = _attempts(live_database_url, group)
    assert len(attempts) == TRAINEES * COMPETENCIES  # every cell saved exactly once
    by_cell = {(enrolment, competency): (result, how) for enrolment, competency, result, how in attempts}
    assert by_cell == {
        (enrolment, competency): (expected(row, column), "case_study")
        for row, enrolment in enumerate(group.enrolment_ids)
        for column, competency in enumerate(group.competency_ids)
    }

    # The same key again on a saved cell writes nothing; the page shows what was saved after a reload.
    assert expected(0, 0) == "not_yet_competent"
    page.locator(".assessment-grid select.result").first.focus()
    page.keyboard.press("n")
    page.reload()
    first = page.locator(".assessment-grid tbody tr").first.locator("select.result")
    expect(first.first).to_have_value(expected(0, 0))
    expect(first.nth(1)).to_have_value(expected(0, 1))
    assert len(_attempts(live_database_url, group)) == TRAINEES * COMPETENCIES
    # On a narrower screen the grid scrolls sideways and the trainee's name stays in view.
    page.set_viewport_size({"width": 800, "height": 900})
    scroller, name = page.locator(".grid-scroll"), page.locator(".assessment-grid tbody th").first
    assert scroller.evaluate("element => element.scrollWidth - element.clientWidth") > 200
    left = name.bounding_box()["x"]  # type: ignore[index]
    scroller.evaluate("element => { element.scrollLeft = 200; }")
    expect(page.locator(".assessment-grid thead th").nth(1)).not_to_be_in_viewport(ratio=1)
    assert name.bounding_box()["x"] == left  # type: ignore[index]


def test_a_phone_shows_one_trainee_at_a_time(
    new_page: Callable[..., Page], sign_in: SignIn, group: Group
) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, "trainer")
    page.goto(f"/cohorts/{group.cohort_id}/assessments")
    rows = page.locator(".assessment-grid tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.nth(1)).to_be_hidden()
    expect(rows.first.locator("select.result")).to_have_count(COMPETENCIES)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "assessment-grid-375.png")
    page.locator(".trainee-pager button[name=go]").last.click()  # next
    page.wait_for_url(f"**trainee={group.enrolment_ids[1]}*")
    expect(rows.first).to_be_hidden()
    expect(rows.nth(1)).to_be_visible()
    expect(page.locator(".trainee-pager")).to_contain_text(re.compile("[2២]"))  # Khmer or Latin digits
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "assessment-grid-375-next.png")
