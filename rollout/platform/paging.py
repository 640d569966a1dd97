"""Long tables shown a page at a time: which rows a page holds, and finding rows by a piece of their text."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    """Page `number` (from 1) of `total` rows, `size` rows a page."""

    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def start(self) -> int:
        """The position of the page's first row (from 0): with `stop`, the page as a slice."""
        return min((self.number - 1) * self.size, self.total)

    @property
    def stop(self) -> int:
        return min(self.start + self.size, self.total)

    def describe(self, rows: str = "rows") -> str:
        """'Page 2 of 3: rows 201–400 of 512' (no rows: 'rows 0–0 of 0')."""
        first = self.start + 1 if self.total else 0
        return f"Page {self.number} of {self.pages}: {rows} {first}–{self.stop} of {self.total}"


def page(total: int, number: int, size: int = PAGE_SIZE) -> Page:
    """Page `number` of `total` rows, kept within the pages there are (a narrower search has fewer)."""
    shown = Page(1, total, size)
    return Page(min(max(1, int(number)), shown.pages), total, size)


def contains(text: str, search: str) -> bool:
    """Whether `search` (trimmed) appears in `text`, ignoring case as people do (ß matches ss)."""
    return search.strip().casefold() in text.casefold()


def containing(frame: pd.DataFrame, column: str, search: str) -> pd.DataFrame:
    """The rows of `frame` whose `column` contains `search` (see `contains`), in their order; all of
    them for a blank search."""
    if not search.strip():
        return frame
    return frame[[contains(text, search) for text in frame[column]]]
