"""Where the curriculum's admin pages are: addresses its pages link to and its JSON answers give."""

ADMIN_COURSES = "/admin/courses"
# An ethics module's quiz: its pages under /admin, its JSON under /api/v1.
QUIZ_PATH = "/courses/{course_id:int}/modules/{module_id:int}/quiz"


def course_url(course_id: int) -> str:
    return f"{ADMIN_COURSES}/{course_id}"


def quiz_url(course_id: int, module_id: int) -> str:
    """The ethics module's quiz pages (courses/controllers/ethics.py)."""
    return f"{course_url(course_id)}/modules/{module_id}/quiz"
