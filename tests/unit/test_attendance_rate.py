"""The attendance rate: which marks count as attended, missed or not counted, and how it is rounded."""

from decimal import Decimal

import pytest

from training.services.attendance import attendance_rate

P, L, E, A = "present", "late", "excused", "absent"


@pytest.mark.parametrize(
    ("statuses", "held", "rate"),
    [
        pytest.param([], 0, None, id="nothing held yet"),
        pytest.param([P, P, P, P], 4, Decimal("100.0"), id="always present"),
        pytest.param([P, L, P, L], 4, Decimal("100.0"), id="late counts as attended"),
        pytest.param([P, P, P, A], 4, Decimal("75.0"), id="absent counts as missed"),
        pytest.param([P, P, P, E], 4, Decimal("100.0"), id="excused leaves the denominator"),
        pytest.param([P, A, E, E], 4, Decimal("50.0"), id="two excused of four"),
        pytest.param([E, E], 2, None, id="only excused: nothing counts"),
        pytest.param([A, A], 2, Decimal("0.0"), id="never there"),
        pytest.param([P, P, P], 4, Decimal("75.0"), id="held session without a mark counts as missed"),
        pytest.param([], 3, Decimal("0.0"), id="no mark at any held session"),
        pytest.param([P, P, A], 3, Decimal("66.6"), id="rounded down, never overstated"),
        pytest.param([P] * 79 + [A] * 21, 100, Decimal("79.0"), id="just under a threshold of 80"),
        pytest.param([P] * 4 + [A], 5, Decimal("80.0"), id="exactly 80"),
        pytest.param([P, P], 0, Decimal("100.0"), id="marks are held sessions even if the count lags"),
    ],
)
def test_attendance_rate(statuses: list[str], held: int, rate: Decimal | None) -> None:
    assert attendance_rate(statuses, held) == rate
