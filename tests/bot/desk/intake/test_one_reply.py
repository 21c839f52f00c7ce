"""Several intake answers read from one email reply: labelled, in prose, each on its own."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.desk.intake.draft import Context, Draft
from bot.desk.intake.one_reply import read_reply

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Tuesday 11:00 in Paris
CONTEXT = Context(PARIS, "FR", NOW, impacts=("high", "low"), urgencies=("high", "low"))
DRAFT = Draft(description="Login fails", email="anna@customer.example")
MISSING = DRAFT.missing(has_matrix=False)  # contact, occurred_at, steps, attachments, kind


def local(draft: Draft) -> str:
    assert draft.occurred_at is not None
    return draft.occurred_at.astimezone(PARIS).strftime("%a %H:%M")


def test_a_natural_answer_gives_the_time_in_prose_and_the_labelled_phone() -> None:
    reading = read_reply(DRAFT, MISSING, "It happened at 09:41 today… Phone: +33 6 12 34 56 78", CONTEXT)

    assert reading.taken == ("contact", "occurred_at")
    assert reading.refused == {}
    assert reading.draft.phone == "+33612345678"
    assert reading.draft.contact_confirmed
    assert local(reading.draft) == "Tue 09:41"


def test_every_label_answers_its_field_and_steps_go_on_over_several_lines() -> None:
    text = (
        "Phone: 06 12 34 56 78\nWhen: yesterday 3pm\nSteps: open the portal\nclick Login\n\nFiles: none\nKind: incident"
    )

    reading = read_reply(DRAFT, MISSING, text, CONTEXT)

    assert reading.taken == MISSING
    assert reading.draft.missing(has_matrix=False) == ()
    assert reading.draft.phone == "+33612345678"  # the desk's region for a number without its country code
    assert local(reading.draft) == "Mon 15:00"
    assert reading.draft.steps == "open the portal\nclick Login"
    assert reading.draft.kind == "incident"


def test_one_bad_answer_is_refused_alone() -> None:
    reading = read_reply(DRAFT, MISSING, "Phone: 12\nWhen: today 9:00\n\nThanks,\nAnna", CONTEXT)

    assert reading.taken == ("occurred_at",)
    assert set(reading.refused) == {"contact"}
    assert reading.refused["contact"].reason == "phone_invalid"
    assert reading.draft.phone is None
    assert local(reading.draft) == "Tue 09:00"


def test_prose_gives_a_phone_number_and_a_time_with_its_figure() -> None:
    text = "You can call me on +33 6 12 34 56 78. It started this morning around 9:15, with error 500."

    reading = read_reply(DRAFT, MISSING, text, CONTEXT)

    assert reading.taken == ("contact", "occurred_at")
    assert local(reading.draft) == "Tue 09:15"


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("+33 6 12 34 56 78", ("contact",)),
        ("incident", ("kind",)),  # the first question refuses it, a choice takes it
        ("Best regards, Anna", ()),
        ("I use version 2.3 of the app and get error 500 on every try.", ()),
    ],
)
def test_a_bare_answer_answers_the_first_question_or_a_choice(text: str, taken: tuple[str, ...]) -> None:
    assert read_reply(DRAFT, MISSING, text, CONTEXT).taken == taken


def test_only_missing_fields_are_read() -> None:
    done = read_reply(DRAFT, MISSING, "Kind: question", CONTEXT).draft

    reading = read_reply(done, done.missing(has_matrix=False), "Kind: incident\nFiles: none", CONTEXT)

    assert reading.taken == ("attachments",)
    assert reading.draft.kind == "question"


def test_a_time_to_come_is_not_taken_from_prose() -> None:
    reading = read_reply(DRAFT, ("occurred_at",), "We have a demo tomorrow at 14:00, please hurry.", CONTEXT)

    assert "occurred_at" not in reading.taken


def test_prose_with_no_answer_in_it_is_not_read_as_a_wrong_phone_number() -> None:
    text = "I use version 2.3 of the app and get error 500 on every try.\nThanks, Anna"

    reading = read_reply(DRAFT, MISSING, text, CONTEXT)

    assert reading.taken == ()
    assert {name: refused.reason for name, refused in reading.refused.items()} == {"contact": "no_answer_found"}
    assert reading.draft == DRAFT
