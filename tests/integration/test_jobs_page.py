"""The admin page of scheduled jobs: schedules in words, last and next runs, the scheduler's state, and
"run now" recorded for the scheduler (the web app itself never runs a job)."""

from datetime import timedelta

from sqlmodel import col, select

from foundation.audit import AuditEntry
from foundation.clock import utcnow
from foundation.roles import Role
from foundation.scheduling.models import INTERRUPTED, JobOutcome, JobRun, SchedulerInstance
from tests.conftest import post_form, use_english


def row(page: str, job: str) -> str:
    return page.split(f'id="job-{job}"')[1].split("</tr>")[0]


async def test_the_page_lists_each_job_with_its_schedule_and_says_when_no_scheduler_runs(client, as_role):
    await as_role(Role.admin)
    await use_english(client)
    page = (await client.get("/admin/jobs")).text
    assert "No scheduler is running" in page
    housekeeping = row(page, "housekeeping")
    assert "Housekeeping: purge expired sign-ins" in housekeeping
    assert "Every day at 02:30" in housekeeping and "Not run yet" in housekeeping
    assert "Every day at 01:30" in row(page, "backup")
    outbox = row(page, "send_outbox")
    assert "Send the email outbox" in outbox and "Every 30 seconds" in outbox
    assert "hx-trigger" not in page.split('id="jobs-overview"')[1].split(">")[0], "nothing to wait for"


async def test_the_page_shows_the_last_run_the_active_scheduler_and_khmer(client, db, as_role):
    await as_role(Role.admin)
    now = utcnow()
    db.add_all(
        [
            JobRun(
                job="housekeeping", outcome=JobOutcome.succeeded, started_at=now, finished_at=now, items=1234
            ),
            JobRun(
                job="backup", outcome=JobOutcome.failed, started_at=now, finished_at=now, error=INTERRUPTED
            ),
            SchedulerInstance(id="box:42:abc", host="box", pid=42, active=True, seen_at=now),
            SchedulerInstance(id="box:43:def", host="box", pid=43, seen_at=now),
            SchedulerInstance(
                id="old:1:xyz", host="old", pid=1, active=True, seen_at=now - timedelta(hours=1)
            ),
        ]
    )
    await db.commit()

    khmer = (await client.get("/admin/jobs")).text
    assert "<h1>ការងារតាមកាលវិភាគ</h1>" in khmer
    assert "១,២៣៤ ធាតុ" in row(khmer, "housekeeping") and "រៀងរាល់ថ្ងៃ នៅម៉ោង ០២:៣០" in row(khmer, "housekeeping")
    assert "ត្រូវបានផ្អាក៖" in row(khmer, "backup")

    await use_english(client)
    page = (await client.get("/admin/jobs")).text
    assert "The scheduler runs on box (process 42)." in page and "1 more waits on standby." in page
    assert "job-succeeded" in row(page, "housekeeping") and "1,234 items" in row(page, "housekeeping")
    assert "job-failed" in row(page, "backup") and "Interrupted: the scheduler stopped" in row(page, "backup")

    detail = (await client.get("/admin/jobs/backup")).text
    assert "Nightly database backup" in detail and "Interrupted: the scheduler stopped" in detail


async def test_run_now_records_a_request_once_and_the_page_waits_for_it(client, db, as_role):
    admin = await as_role(Role.admin)
    await use_english(client)

    for _ in range(2):
        asked = await post_form(client, "/admin/jobs/backup/run")
        assert asked.status_code == 303 and asked.headers["location"] == "/admin/jobs"

    runs = (await db.execute(select(JobRun))).scalars().all()
    assert [(r.job, r.outcome, r.requested_by, r.started_at) for r in runs] == [
        ("backup", JobOutcome.requested, admin.id, None)
    ], "asking twice before it starts asks once; nothing runs in the web app"
    audit = (
        await db.execute(select(AuditEntry).where(col(AuditEntry.action) == "job.run_requested"))
    ).scalars()
    assert [(entry.actor_id, entry.entity_type) for entry in audit] == [(admin.id, "job_run")]

    page = (await client.get("/admin/jobs")).text
    assert "Waiting for the scheduler" in row(page, "backup")
    assert 'hx-trigger="every 2s"' in page
    assert "Run now" in row(page, "housekeeping") and "Run now" not in row(page, "backup")


async def test_an_unknown_job_is_not_found(client, as_role):
    await as_role(Role.admin)
    assert (await post_form(client, "/admin/jobs/mine-bitcoin/run")).status_code == 404
    assert (await client.get("/admin/jobs/mine-bitcoin")).status_code == 404
