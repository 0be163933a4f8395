"""Progress on standard error, only where a person is watching and the wait is noticeable."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Iterator, Sized
from typing import TypeVar

T = TypeVar("T")

LARGE_BATCH = 200
"""Below this many items the work takes well under a second; a bar would only flicker."""


def progress(items: Iterable[T], what: str, unit: str = "timeline") -> Iterator[T]:
    total = len(items) if isinstance(items, Sized) else None
    show = sys.stderr.isatty() and (total is None or total >= LARGE_BATCH)
    if not show:
        yield from items
        return
    from tqdm import tqdm  # only here: it costs a noticeable share of start-up

    # tqdm hides its bar on a terminal that reports no size (a bare pty, some CI consoles);
    # get_terminal_size falls back to 80x24 there.
    size = shutil.get_terminal_size()
    bar = tqdm(items, desc=what, total=total, unit=unit, file=sys.stderr, leave=False,
               ncols=size.columns, nrows=size.lines)  # fmt: skip
    yield from bar
