"""SR numbers: the format, and uniqueness and order under concurrent writers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.engine import Database
from storage.errors import InvalidValueError
from storage.numbers import find_sr_numbers, format_sr, next_number, parse_sr
from tests.storage.helpers import finish_worker, run_in_threads, start_worker


def test_numbers_are_shown_with_six_digits_at_least() -> None:
    assert format_sr(123) == "SR-000123"
    assert format_sr(1_234_567) == "SR-1234567"


@given(st.integers(min_value=0, max_value=10**12))
def test_a_shown_number_reads_back_as_itself(number: int) -> None:
    assert parse_sr(format_sr(number)) == number
    assert parse_sr(f"  {format_sr(number).lower()} ") == number


@pytest.mark.parametrize("text", ["SR-123", "SR 000123", "000123", "SR-00012a", ""])
def test_anything_else_is_not_an_sr_number(text: str) -> None:
    with pytest.raises(InvalidValueError, match="SR-000123"):
        parse_sr(text)


def test_numbers_quoted_in_an_email_subject_are_found() -> None:
    assert find_sr_numbers("Re: [SR-000042] logs, see also sr-000043 (not SR-42)") == [42, 43]


def test_a_rolled_back_request_gives_its_number_back(db: Database) -> None:
    with db.write() as session:
        assert next_number(session) == 1

    def take_then_fail() -> None:
        with db.write() as session:
            assert next_number(session) == 2
            raise RuntimeError("abandoned")

    with pytest.raises(RuntimeError):
        take_then_fail()
    with db.write() as session:
        assert next_number(session) == 2


def test_another_counter_starts_at_one(db: Database) -> None:
    with db.write() as session:
        assert [next_number(session, "invoice") for _ in range(3)] == [1, 2, 3]


def _take(database: Database, count: int) -> list[int]:
    numbers = []
    for _ in range(count):
        with database.write() as session:
            numbers.append(next_number(session))
    return numbers


def _assert_unique_increasing(per_thread: list[list[int]], total: int) -> None:
    assert sorted(number for numbers in per_thread for number in numbers) == list(range(1, total + 1))
    for numbers in per_thread:
        assert numbers == sorted(numbers)


def test_eight_threads_get_unique_increasing_numbers(db: Database) -> None:
    per_thread = run_in_threads([lambda: _take(db, 40)] * 8)
    _assert_unique_increasing(per_thread, 8 * 40)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_processes_of_four_threads_get_unique_increasing_numbers(database_url: str) -> None:
    processes = [start_worker("sr", database_url, "4", "50") for _ in range(2)]
    per_thread: dict[str, list[int]] = {}
    for index, process in enumerate(processes):
        lines = finish_worker(process)
        assert lines[-1] == "done"
        for line in lines[:-1]:
            thread, number = line.split()
            per_thread.setdefault(f"{index}-{thread}", []).append(int(number))
    assert len(per_thread) == 8
    _assert_unique_increasing(list(per_thread.values()), 2 * 4 * 50)
