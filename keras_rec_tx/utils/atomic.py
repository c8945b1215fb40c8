"""Atomic file writes: a reader (or a crash) never sees half a file.

Everything the package writes (models, result files, reports) goes to a
temporary file in the destination's folder and is moved over the
destination with `os.replace`, which is atomic on POSIX and Windows. A
write killed midway leaves the old file untouched and, at worst, a
`.tmp-*` file beside it.

Example:

```python
from keras_rec_tx.utils import atomic_path

with atomic_path("model.keras") as tmp:
    model.save(tmp)  # "model.keras" appears whole, or not at all
```
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yields a temporary path beside `path` (same suffix); on a clean
    exit moves it over `path`, on an exception deletes it.

    The destination folder must exist: a `FileNotFoundError` naming it is
    raised before anything is written.
    """
    path = pathlib.Path(path)
    folder = path.parent if str(path.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Cannot write {str(path)!r}: its folder {str(folder)!r} does "
            "not exist. Create it first."
        )
    fd, tmp = tempfile.mkstemp(
        prefix=f".tmp-{path.stem}-", suffix=path.suffix, dir=folder
    )
    os.close(fd)
    os.remove(tmp)  # writers such as keras' save create the file themselves
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Writes `text` (UTF-8) to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
