"""The intake draft: what is missing, in which order, and what each answer changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.desk.intake.answers import Refused
from bot.desk.intake.draft import FIELDS, Context, Draft, answer

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONTEXT = Context(zone=PARIS, region="FR", now=NOW, impacts=("extended", "minor"), urgencies=("critical", "low"))
COMPLETE = Draft(
    description="Export fails",
    email="jo@example.com",
    phone="+33612345678",
    contact_confirmed=True,
    occurred_at=datetime(2026, 11, 24, 9, 0, tzinfo=PARIS),
    steps_answered=True,
    attachments_answered=True,
    impact="minor",
    urgency="low",
    kind="incident",
)


def test_a_new_draft_misses_everything_in_order():
    assert Draft().missing(has_matrix=True) == FIELDS
    assert Draft().missing(has_matrix=False) == (
        "description",
        "contact",
        "occurred_at",
        "steps",
        "attachments",
        "kind",
    )


def test_a_complete_draft_misses_nothing():
    assert COMPLETE.missing(has_matrix=True) == ()


def test_profile_contact_needs_only_confirming():
    draft = Draft(description="x", email="jo@example.com", phone="+33612345678")
    assert draft.missing(has_matrix=False)[0] == "contact"
    confirmed = answer(draft, "contact", "yes", CONTEXT)
    assert confirmed.contact_confirmed
    assert confirmed.missing(has_matrix=False)[0] == "occurred_at"


def test_confirming_without_a_phone_asks_for_it():
    draft = Draft(description="x", email="jo@example.com")
    assert answer(draft, "contact", "yes", CONTEXT) == Refused("contact_incomplete", {"missing": "phone"})
    given_phone = answer(draft, "contact", "06 12 34 56 78", CONTEXT)
    assert (given_phone.phone, given_phone.contact_confirmed) == ("+33612345678", True)


def test_email_and_phone_in_one_reply_as_slack_sends_them():
    draft = answer(Draft(), "contact", "<mailto:jo@example.com|jo@example.com>, +33 6 12 34 56 78", CONTEXT)
    assert (draft.email, draft.phone, draft.contact_confirmed) == ("jo@example.com", "+33612345678", True)


def test_an_invalid_contact_keeps_the_draft_and_says_why():
    assert answer(Draft(), "contact", "jo@", CONTEXT) == Refused("email_invalid", {"text": "jo@"})
    assert answer(Draft(), "contact", "call 12", CONTEXT) == Refused("phone_invalid", {"text": "call 12"})
    assert answer(Draft(), "contact", "whenever", CONTEXT) == Refused("contact_unclear", {"text": "whenever"})


def test_when_it_happened_in_the_requesters_zone():
    draft = answer(Draft(), "occurred_at", "today 9am", CONTEXT)
    assert draft.occurred_at == datetime(2026, 11, 24, 9, 0, tzinfo=PARIS)
    assert answer(Draft(), "occurred_at", "tomorrow", CONTEXT).reason == "when_future"


def test_steps_not_applicable_counts_as_answered():
    draft = answer(Draft(), "steps", "n/a", CONTEXT)
    assert (draft.steps, draft.steps_answered) == (None, True)


def test_attachments_need_files_or_none():
    assert answer(Draft(), "attachments", "here", CONTEXT) == Refused("attachments_expected")
    assert answer(Draft(), "attachments", "none", CONTEXT).attachments_answered
    with_file = Draft().with_files(("F1",)).with_files(("F1", "F2"))
    assert with_file.attachments == ("F1", "F2")
    assert "attachments" not in with_file.missing(has_matrix=False)


def test_matrix_and_kind_choices():
    assert answer(Draft(), "impact", "Minor", CONTEXT).impact == "minor"
    assert answer(Draft(), "kind", "defect", CONTEXT) == Refused(
        "choice_unknown", {"field": "kind", "text": "defect", "choices": "question, incident, feature"}
    )


def test_an_empty_description_is_refused():
    assert answer(Draft(), "description", "  ", CONTEXT) == Refused("description_empty")


def test_a_huge_description_is_kept_to_slacks_limit():
    assert len(answer(Draft(), "description", "é" * 50_000, CONTEXT).description) == 40_000


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FIELDS), st.text(max_size=200))
def test_any_text_for_any_field_gives_a_draft_or_a_reason(field, text):
    result = answer(Draft(description="x"), field, text, CONTEXT)
    assert isinstance(result, Draft | Refused)
