"""Hostile uploads are refused before the work they would cause: each in under a second of CPU and 50 MB,
with a message that says what to do (foundation.files bounds columns, cells, rows, shared texts, unpacked
size and time; every check linear)."""

import time
import tracemalloc

import pytest

from foundation.files import FileRejected
from foundation.i18n import current_language
from tests.hostile_files import HOSTILE


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.mark.parametrize("hostile", HOSTILE.keys())
def test_a_hostile_file_is_refused_quickly_in_little_memory(hostile):
    filename, reader, make = HOSTILE[hostile]
    content = make()
    started = time.process_time()
    with pytest.raises(FileRejected) as refused:
        reader(filename, content)
    seconds = time.process_time() - started
    tracemalloc.start()
    with pytest.raises(FileRejected):
        reader(filename, content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 1.0, f"{hostile}: {seconds:.2f} s"
    assert peak < 50 * 1024 * 1024, f"{hostile}: {peak / 1e6:.0f} MB"
    message = refused.value.problems[0].message
    assert "split it into several files" in message or "at most 50" in message
