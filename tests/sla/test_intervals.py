"""Spans and their arithmetic (sla.intervals): merging, clipping and intersecting, checked point by point."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla.intervals import Span, clipped, intersection, merged

POINTS = range(-5, 45)  # every point the spans below can start or end at, and a few beyond


def closed_spans() -> st.SearchStrategy[Span[int]]:
    return st.builds(lambda start, length: Span(start, start + length), st.integers(0, 30), st.integers(-2, 10))


def any_spans() -> st.SearchStrategy[Span[int]]:
    return st.one_of(closed_spans(), st.builds(Span, st.integers(0, 30)))  # some never end


def covered(spans: list[Span[int]]) -> set[int]:
    return {point for point in POINTS if any(span.contains(point) for span in spans)}


@given(st.lists(any_spans(), max_size=8))
def test_merging_keeps_every_point_and_only_those(spans):
    assert covered(merged(spans)) == covered(spans)


@given(st.lists(any_spans(), max_size=8))
def test_merged_spans_are_sorted_and_neither_overlap_nor_touch(spans):
    result = merged(spans)
    assert not any(span.is_empty for span in result)
    for before, after in pairwise(result):
        assert before.end is not None
        assert before.end < after.start
    assert all(span.end is not None for span in result[:-1])  # only the last may be open


@given(st.lists(any_spans(), max_size=8))
def test_merging_twice_changes_nothing(spans):
    assert merged(merged(spans)) == merged(spans)


@given(st.lists(any_spans(), max_size=6), st.lists(any_spans(), max_size=6))
def test_the_intersection_holds_the_points_in_both(first, second):
    result = intersection(first, second)
    assert covered(result) == covered(first) & covered(second)
    assert merged(result) == result


@given(st.lists(any_spans(), max_size=8), any_spans())
def test_clipping_keeps_the_points_inside_the_window(spans, window):
    result = clipped(spans, window)
    assert covered(result) == covered(spans) & covered([window])
    assert not any(span.is_empty for span in result)


def test_touching_spans_join_and_an_open_one_absorbs_what_follows():
    assert merged([Span(3, 5), Span(1, 3)]) == [Span(1, 5)]
    assert merged([Span(1, 2), Span(4, 6), Span(5)]) == [Span(1, 2), Span(4)]
    assert merged([Span(1), Span(1, 9)]) == [Span(1)]
    assert merged([Span(5, 3), Span(5, 8), Span(2, 2)]) == [Span(5, 8)]  # empty ones are left out


def test_a_span_holds_its_start_but_not_its_end():
    assert Span(1, 3).contains(1)
    assert not Span(1, 3).contains(3)
    assert Span(1).contains(10**9)
    assert Span(2, 2).is_empty
    assert not Span(2).is_empty


def test_only_a_span_that_ended_has_bounds():
    assert Span(1, 3).bounds() == (1, 3)
    with pytest.raises(ValueError, match="has no end"):
        Span(1).bounds()


def test_spans_of_instants_work_the_same():
    noon = datetime(2026, 11, 23, 12, tzinfo=UTC)
    hour = timedelta(hours=1)
    spans = [Span(noon, noon + hour), Span(noon + hour / 2, noon + 2 * hour)]
    assert merged(spans) == [Span(noon, noon + 2 * hour)]
    assert intersection(spans[:1], spans[1:]) == [Span(noon + hour / 2, noon + hour)]
    later = noon + 3 * hour / 2
    assert clipped(spans, Span(later)) == [Span(later, noon + 2 * hour)]
