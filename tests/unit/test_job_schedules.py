"""Schedules: the run times every process computes alike, and the words the admin page shows."""

from datetime import UTC, datetime, time

from foundation import i18n
from foundation.scheduling.schedules import Daily, Every, Hourly
from nisa.jobs import JOBS

NOW = datetime(2026, 3, 10, 20, 0, 10, tzinfo=UTC)


def test_interval_runs_fall_on_the_same_instants_whichever_process_asks():
    every_30_seconds = Every(30).trigger()
    assert every_30_seconds.get_next_fire_time(None, NOW) == datetime(2026, 3, 10, 20, 0, 30, tzinfo=UTC)
    later = every_30_seconds.get_next_fire_time(None, datetime(2026, 3, 10, 20, 0, 31, tzinfo=UTC))
    assert later == datetime(2026, 3, 10, 20, 1, tzinfo=UTC)


def test_daily_work_runs_at_night_in_cambodia_wherever_the_server_is():
    # 01:30 in Phnom Penh (UTC+7) is 18:30 UTC the day before.
    assert Daily(time(1, 30)).trigger().get_next_fire_time(None, NOW) == datetime(
        2026, 3, 11, 18, 30, tzinfo=UTC
    )
    assert Hourly(5).trigger().get_next_fire_time(None, NOW) == datetime(2026, 3, 10, 20, 5, tzinfo=UTC)


def test_schedules_in_words_in_both_languages():
    token = i18n.current_language.set("en")
    try:
        assert Every(1).describe() == "Every 1 second"
        assert Every(30).describe() == "Every 30 seconds"
        assert Every(120).describe() == "Every 2 minutes"
        assert Hourly(15).describe() == "Every hour, at 15 minutes past"
        assert Daily(time(2, 30)).describe() == "Every day at 02:30"
        i18n.current_language.set("km")
        assert Every(30).describe() == "រៀងរាល់ ៣០ វិនាទី"
        assert Daily(time(2, 30)).describe() == "រៀងរាល់ថ្ងៃ នៅម៉ោង ០២:៣០"
    finally:
        i18n.current_language.reset(token)


def test_the_registry_holds_the_notification_jobs_housekeeping_and_the_backup():
    assert [job.name for job in JOBS] == [
        "send_outbox",
        "session_reminders",
        "attendance_warnings",
        "expiry_reminders",
        "housekeeping",
        "backup",
    ]


def test_job_names_are_unique_and_fit_their_column():
    names = [job.name for job in JOBS]
    assert len(set(names)) == len(names)
    assert all(len(name) <= 60 and name.replace("_", "").isalnum() for name in names)
