"""Cohort downloads: a ZIP archive streamed file by file, never held whole in memory."""

import zipfile
from collections.abc import Iterable, Iterator


class _Sink:
    """A write-only file for zipfile that hands out what it received since it was last emptied.

    With no seek(), zipfile writes each member's sizes after its data (a data descriptor), so the archive
    can leave piece by piece; tell() is all it needs to record where each member starts.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._written = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(files: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """Yield a ZIP archive of (name, content) pairs: one chunk per file as it is added, then the directory."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
            yield sink.take()
    yield sink.take()
