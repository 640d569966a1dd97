"""Long tables shown a page at a time: the rows of a page, staying within the pages, finding rows by text."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rollout.platform.paging import Page, containing, contains, page


def test_a_page_holds_its_rows_and_says_which():
    second = page(512, 2)
    assert (second.pages, second.start, second.stop) == (3, 200, 400)
    assert second.describe() == "Page 2 of 3: rows 201–400 of 512"
    assert page(512, 3).describe("deals") == "Page 3 of 3: deals 401–512 of 512"


def test_a_page_beyond_the_last_or_before_the_first_is_kept_within_the_pages():
    assert page(450, 7).number == 3  # a narrower search left fewer pages
    assert page(450, 0).number == page(450, -4).number == 1
    assert page(0, 5) == Page(1, 0)
    assert page(0, 5).describe() == "Page 1 of 1: rows 0–0 of 0"


@given(total=st.integers(0, 2_000), number=st.integers(-5, 50), size=st.integers(1, 300))
def test_the_pages_cover_every_row_once(total, number, size):
    shown = page(total, number, size)
    assert 1 <= shown.number <= shown.pages
    assert 0 <= shown.stop - shown.start <= size
    pages = [page(total, n, size) for n in range(1, shown.pages + 1)]
    positions = [i for each in pages for i in range(each.start, each.stop)]
    assert positions == list(range(total))


def test_rows_are_found_by_part_of_their_text_ignoring_case_in_their_order():
    frame = pd.DataFrame(
        {"title": ["Webinar: Straße", "Ebook", "STRASSE guide", "Case study"], "n": [1, 2, 3, 4]}
    )
    assert containing(frame, "title", "strasse")["n"].tolist() == [1, 3]  # ß is ss, as people type it
    assert containing(frame, "title", "  case ")["n"].tolist() == [4]
    assert containing(frame, "title", "")["n"].tolist() == [1, 2, 3, 4]
    assert containing(frame, "title", "nothing like it").empty
    assert contains("Ebook: the India playbook", "INDIA") and not contains("Ebook", "books")
