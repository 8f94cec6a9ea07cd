"""The caller owns the transaction: no service module commits the session it is given."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The packages whose `services/` modules are held to the rule: all of them.
PACKAGES_WITH_CALLER_OWNED_TRANSACTIONS = ("people", "courses", "training", "certificates")
# Service modules that live outside a `services/` folder.
SERVICES_ELSEWHERE = ("foundation/outbox/admin.py", "foundation/scheduling/services.py")


def service_modules() -> list[Path]:
    found = [
        path
        for package in PACKAGES_WITH_CALLER_OWNED_TRANSACTIONS
        for path in (ROOT / package).glob("**/services/**/*.py")
    ]
    found += [ROOT / name for name in SERVICES_ELSEWHERE]
    return sorted(found)


def commit_lines(source: str) -> list[int]:
    """The lines where the source calls `.commit(` on anything."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]


def test_services_leave_the_commit_to_their_caller():
    modules = service_modules()
    assert len(modules) > 10, "the service modules were not found where they are looked for"
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in modules
        for line in commit_lines(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        "A service commits; its caller (controller, action, job or command) must own the unit of work: "
        + ", ".join(offenders)
    )


def test_the_guard_sees_a_commit_however_it_is_written():
    source = (
        "async def save(session, other):\n"
        "    session.add(1)\n"
        "    await session.commit()\n"
        "    await other.session.commit()\n"
        "    commit = session.flush\n"
    )
    assert commit_lines(source) == [3, 4]
