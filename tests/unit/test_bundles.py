"""The cohort ZIP is valid, complete, and streamed one file at a time."""

import io
import os
import zipfile
from collections.abc import Iterator

from certificates.bundles import zip_stream

FILES = [
    ("SW101-2026-01/K7QM-3XPD-9RTA-2VHC.pdf", os.urandom(40_000)),
    ("SW101-2026-01/P4WN-8KDR-3MXT-7CQA.pdf", os.urandom(40_000)),
    ("SW101-2026-01/សុខ-ស្រីនិច.json", b'{"holder": "\xe1\x9e\x9f"}' * 200),
]


def test_the_joined_chunks_are_a_valid_zip_with_every_file():
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(FILES))))

    assert archive.testzip() is None
    assert archive.namelist() == [name for name, _ in FILES]
    for name, content in FILES:
        assert archive.read(name) == content


def test_no_chunk_holds_the_whole_archive():
    chunks = list(zip_stream(FILES))
    archive = b"".join(chunks)

    # One chunk per file, then the central directory.
    assert len(chunks) == len(FILES) + 1
    assert max(len(chunk) for chunk in chunks) < len(archive) / 2
    assert chunks[-1].startswith(b"PK\x01\x02")


def test_each_file_is_sent_before_the_next_is_read():
    read: list[str] = []

    def files() -> Iterator[tuple[str, bytes]]:
        for name, content in FILES:
            read.append(name)
            yield name, content

    stream = zip_stream(files())
    first = next(stream)

    assert read == [FILES[0][0]]
    assert FILES[0][0].encode() in first


def test_an_empty_cohort_gives_an_empty_but_valid_zip():
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_stream([]))))

    assert archive.namelist() == []
