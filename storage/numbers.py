"""SR numbers: unique, increasing, shown as `SR-000123`.

Rules: a number is taken by incrementing the counter row in the caller's transaction (UPDATE ... RETURNING).
The row stays locked until that transaction ends (PostgreSQL row lock; SQLite's single writer), so numbers
are handed out in commit order, without duplicates, and a rolled-back request gives its number back.
"""

import re

from sqlalchemy import update
from sqlmodel import Session, col

from storage.errors import InvalidValueError
from storage.tables import Counter
from storage.upsert import insert_unless_present

SR_COUNTER = "sr"
_SR = re.compile(r"SR-(\d{6,})", re.IGNORECASE)


def format_sr(number: int) -> str:
    """`SR-000123`: at least six digits."""
    return f"SR-{number:06d}"


def parse_sr(text: str) -> int:
    """The number in `SR-000123` (case-insensitive, surrounding spaces ignored), or InvalidValueError."""
    match = _SR.fullmatch(text.strip())
    if match is None:
        raise InvalidValueError(f"{text!r} is not an SR number like SR-000123")
    return int(match.group(1))


def find_sr_numbers(text: str) -> list[int]:
    """Every SR number quoted in `text` (e.g. an email subject), in order of appearance."""
    return [int(match.group(1)) for match in re.finditer(r"\bSR-(\d{6,})\b", text, re.IGNORECASE)]


def next_number(session: Session, name: str = SR_COUNTER) -> int:
    """Takes the next number of counter `name` in the caller's transaction."""
    statement = (
        update(Counter)
        .where(col(Counter.name) == name)
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    )
    value = session.exec(statement).scalar_one_or_none()
    if value is None:  # a counter that the migrations did not create: start it
        insert_unless_present(session, Counter, {"name": name, "value": 0}, ["name"])
        value = session.exec(statement).scalar_one()
    return int(value)
