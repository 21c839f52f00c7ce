"""The support form as a modal: what it shows is what it reads back, and no submitted state can break it."""

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.config.desk import parse_desk_config
from bot.desk.intake.draft import Draft
from bot.slack.form_view import FormTarget, form_values, form_view, submission_errors
from slack_emulator.interactions import state_values

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
KIWI = parse_desk_config(
    'policy = "kiwi"\n[slack]\nintake_channel = "C0SUPPORT1"\nagents_channel = "C0AGENTS01"\n'
    '[agents]\nusers = ["U0BOB0001"]\n',
    source="frontdesk.toml",
    folder=Path("."),
)

drafts = st.builds(
    Draft,
    description=st.one_of(st.none(), st.text(min_size=1, max_size=4000)),
    email=st.one_of(st.none(), st.emails()),
    phone=st.one_of(st.none(), st.sampled_from(["+33612345678", "+14165550199"])),
    occurred_at=st.one_of(
        st.none(), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC))
    ),
    steps=st.one_of(st.none(), st.text(min_size=1, max_size=100)),
    impact=st.one_of(st.none(), st.sampled_from(["extended", "minor"])),
    urgency=st.one_of(st.none(), st.sampled_from(["critical", "low"])),
    kind=st.one_of(st.none(), st.sampled_from(["question", "incident", "feature"])),
)


@given(drafts, st.one_of(st.none(), st.integers(min_value=1, max_value=10**9)))
def test_a_form_submitted_untouched_reads_back_what_it_was_prefilled_with(draft, ticket_id):
    view = form_view(KIWI, draft, FormTarget(ticket_id, 2), None)
    submitted = {**view, "state": {"values": state_values(view["blocks"], {})}}
    values = form_values(submitted)
    assert values.description == (draft.description or "")[:3000]
    assert values.email == (draft.email or "")
    assert values.phone == (draft.phone or "")
    assert values.occurred_at == (draft.occurred_at.replace(microsecond=0) if draft.occurred_at else None)
    assert (values.impact, values.urgency, values.kind) == (draft.impact, draft.urgency, draft.kind)
    assert FormTarget.of(submitted) == FormTarget(ticket_id, 2)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["state", "private_metadata", "callback_id"]), json_values))
def test_any_submitted_view_is_read_without_failing(view):
    body = {"type": "view_submission", "view": {**view, "callback_id": "support_form"}}
    errors = submission_errors(body, KIWI, NOW)
    assert errors is None or all(isinstance(text, str) and len(text) <= 150 for text in errors.values())


def test_other_views_are_not_checked():
    assert submission_errors({"type": "view_submission", "view": {"callback_id": "other"}}, KIWI, NOW) is None
