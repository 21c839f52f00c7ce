"""The support form's checks: every problem at once, by field; a good form fills in the whole draft."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.desk.intake.answers import Refused
from bot.desk.intake.draft import Context, Draft
from bot.desk.intake.form import FORM_TEXT, FormAnswers, FormValues, apply_form, check_form

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONTEXT = Context(zone=PARIS, region="FR", now=NOW, impacts=("extended", "minor"), urgencies=("critical", "low"))
GOOD = FormValues(
    description="  Export fails  ",
    email="Jo@Example.com",
    phone="06 12 34 56 78",
    occurred_at=NOW - timedelta(hours=1),
    steps="",
    no_files=True,
    impact="minor",
    urgency="low",
    kind="incident",
)


def test_a_good_form_gives_its_answers_read_like_the_conversation_reads_them():
    answers = check_form(GOOD, CONTEXT)
    assert answers == FormAnswers(
        description="Export fails",
        email="Jo@example.com",
        phone="+33612345678",
        occurred_at=NOW - timedelta(hours=1),
        steps=None,
        no_files=True,
        impact="minor",
        urgency="low",
        kind="incident",
    )
    draft = apply_form(Draft(attachments=("abc",)), answers, ("def",))
    assert draft.missing(has_matrix=True) == ()
    assert draft.attachments == ("abc", "def")


def test_every_problem_is_reported_at_once():
    bad = FormValues(description=" ", email="jo@", phone="12", occurred_at=NOW + timedelta(minutes=1), kind="defect")
    problems = check_form(bad, CONTEXT)
    assert {field: refused.reason for field, refused in problems.items()} == {
        "description": "description_empty",
        "email": "email_invalid",
        "phone": "phone_invalid",
        "occurred_at": "when_future",
        "files": "attachments_expected",
        "impact": "choice_unknown",
        "urgency": "choice_unknown",
        "kind": "choice_unknown",  # only agents confirm defects
    }


def test_files_already_with_the_request_are_enough():
    values = FormValues(**{**GOOD.__dict__, "no_files": False})
    assert isinstance(check_form(values, CONTEXT), dict)
    assert isinstance(check_form(values, CONTEXT, has_files=True), FormAnswers)


def test_without_a_matrix_impact_and_urgency_are_not_asked():
    plain = Context(zone=PARIS, region="FR", now=NOW)
    answers = check_form(FormValues(**{**GOOD.__dict__, "impact": None, "urgency": None}), plain)
    assert isinstance(answers, FormAnswers)
    assert answers.impact is None


def test_a_long_description_sent_back_untouched_is_kept_whole():
    long = "x" * (FORM_TEXT + 500)
    answers = check_form(FormValues(**{**GOOD.__dict__, "description": long[:FORM_TEXT]}), CONTEXT)
    assert apply_form(Draft(description=long), answers, ()).description == long
    edited = check_form(FormValues(**{**GOOD.__dict__, "description": "shorter"}), CONTEXT)
    assert apply_form(Draft(description=long), edited, ()).description == "shorter"


@given(st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_when_is_taken_exactly_unless_it_is_still_to_come(instant):
    checked = check_form(FormValues(**{**GOOD.__dict__, "occurred_at": instant}), CONTEXT)
    if instant > NOW:
        assert isinstance(checked, dict)
        assert checked["occurred_at"] == Refused("when_future", {"parsed": instant.astimezone(PARIS).isoformat()})
    else:
        assert isinstance(checked, FormAnswers)
        assert checked.occurred_at == instant


@given(st.text(max_size=200))
def test_any_description_with_a_visible_character_is_kept_as_typed(text):
    checked = check_form(FormValues(**{**GOOD.__dict__, "description": text}), CONTEXT)
    if text.strip():
        assert isinstance(checked, FormAnswers)
        assert checked.description == text.strip()
    else:
        assert isinstance(checked, dict)
        assert set(checked) == {"description"}
