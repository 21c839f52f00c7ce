"""Spans: stretches of time (or of minutes in a day) and their arithmetic, for hours, clocks and availability.

Rules:
- A span is half-open, [start, end): it holds `start` and every point before `end`. `end` None means it has not
  ended (a pause not resumed yet): it holds every point from `start` on. A span whose end is at or before its
  start is empty.
- `merged` sorts spans, leaves out empty ones and joins those that overlap or touch ([1, 3) and [3, 5) make
  [1, 5)); a span without an end absorbs every span starting inside it. What comes back is sorted, and no two of
  its spans overlap or touch.
- `clipped` cuts each span to a window and drops what is left empty; `intersection` is what lies in both of two
  lists of spans, merged.
- Points are compared as they are: datetimes must be of one zone (UTC), since Python compares two datetimes of
  one zone by their wall readings.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T", int, datetime)


@dataclass(frozen=True)
class Span(Generic[T]):
    """[start, end), or from `start` on when `end` is None."""

    start: T
    end: T | None = None

    def contains(self, point: T) -> bool:
        return self.start <= point and (self.end is None or point < self.end)

    def bounds(self) -> tuple[T, T]:
        """(start, end) of a span that has ended; ValueError for one that has not."""
        if self.end is None:
            raise ValueError(f"the span from {self.start} has no end")
        return self.start, self.end

    @property
    def is_empty(self) -> bool:
        return self.end is not None and self.end <= self.start

    def clipped_to(self, window: "Span[T]") -> "Span[T]":
        """The part of this span inside `window` (maybe empty)."""
        return Span(max(self.start, window.start), _earlier(self.end, window.end))


def merged(spans: Iterable[Span[T]]) -> list[Span[T]]:
    """The spans sorted, overlapping and touching ones joined, empty ones left out."""
    result: list[Span[T]] = []
    for span in sorted((span for span in spans if not span.is_empty), key=_order):
        last = result[-1] if result else None
        if last is not None and (last.end is None or span.start <= last.end):
            result[-1] = Span(last.start, _later(last.end, span.end))
        else:
            result.append(span)
    return result


def clipped(spans: Iterable[Span[T]], window: Span[T]) -> list[Span[T]]:
    """Each span cut to `window`, those left empty dropped, in the order given."""
    return [cut for cut in (span.clipped_to(window) for span in spans) if not cut.is_empty]


def intersection(first: Iterable[Span[T]], second: Iterable[Span[T]]) -> list[Span[T]]:
    """What lies in a span of `first` and in a span of `second`, merged."""
    left, right = merged(first), merged(second)
    return merged(a.clipped_to(b) for a in left for b in right)


def _earlier(a: T | None, b: T | None) -> T | None:
    """The earlier of two ends, None being no end at all."""
    if a is None:
        return b
    return a if b is None else min(a, b)


def _later(a: T | None, b: T | None) -> T | None:
    return None if a is None or b is None else max(a, b)


def _order(span: Span[T]) -> tuple[T, bool, T]:
    """Sort by start, then ended spans (by end) before open ones."""
    return (span.start, span.end is None, span.start if span.end is None else span.end)
