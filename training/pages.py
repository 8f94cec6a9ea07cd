"""Where training's pages are: addresses that more than one of its page modules links to."""

COHORTS = "/cohorts"


def cohort_url(cohort_id: int) -> str:
    return f"{COHORTS}/{cohort_id}"
