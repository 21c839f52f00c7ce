"""Reading `/frontdesk` text: every action, every mistake, and any text read without failing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.desk.commands import SHAPES, Command, CommandError, parse_command, render_command_error, render_help


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("help")),
        ("help", Command("help")),
        ("triage SR-000123 P2 month-end close", Command("triage", 123, "month-end close", "P2")),
        ("triage sr-7 P3", Command("triage", 7, "", "P3")),
        ("kind #12 feature", Command("kind", 12, value="feature")),
        ("defect 5", Command("defect", 5)),
        ("defect 5 S1", Command("defect", 5, value="S1")),
        ("workaround SR5 Use the CSV export", Command("workaround", 5, "Use the CSV export")),
        ("fix 5 2026.12", Command("fix", 5, value="2026.12")),
        ("defer 5 until 2027-01-15 planned for Q2", Command("defer", 5, "planned for Q2", "2027-01-15")),
        ("defer 5 next_release planned", Command("defer", 5, "planned", "next_release")),
        ("defer 5 until 2027.1 with the new engine", Command("defer", 5, "with the new engine", "2027.1")),
        ("reply 5 line one\nline two", Command("reply", 5, "line one\nline two")),
        ("reply 5 &lt;b&gt; &amp; <!channel>", Command("reply", 5, "<b> & @channel")),
        ("note 5 internal", Command("note", 5, "internal")),
        ("pause 5", Command("pause", 5)),
        ("resume 5", Command("resume", 5)),
        ("assign 5 <@U0CAROL|carol>", Command("assign", 5, user="U0CAROL")),
        ("assign 5 <@W0ENT>", Command("assign", 5, user="W0ENT")),
        ("escalate 5 l3 board asked", Command("escalate", 5, "board asked", "L3")),
        ("resolve 5", Command("resolve", 5)),
        ("reopen 5 came back", Command("reopen", 5, "came back")),
        ("show 000005", Command("show", 5)),
        ("list", Command("list", value="open")),
        ("list breaching", Command("list", value="breaching")),
        ("outage 5 Login fails for everyone", Command("outage", 5, "Login fails for everyone")),
        ("postmortem 5", Command("postmortem", 5)),
        ("RESOLVE 5", Command("resolve", 5)),
    ],
)
def test_every_action_is_read(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("bogus 1", "unknown_action"),
        ("resolve", "sr_missing"),
        ("resolve SR-0", "sr_invalid"),
        ("resolve abc", "sr_invalid"),
        ("triage 1", "value_missing"),
        ("kind 1 defect", "kind_unknown"),
        ("escalate 1 L4 why", "level_unknown"),
        ("escalate 1 L2", "text_missing"),
        ("reply 1", "text_missing"),
        ("outage 1", "text_missing"),
        ("assign 1 carol", "user_missing"),
        ("assign 1 <@U1> <@U2>", "user_missing"),
        ("resume 1 now", "too_many"),
        ("kind 1 question please", "too_many"),
        ("list everything", "list_unknown"),
        ("defer 1 soon? because", "until_unknown"),
        ("defer 1 until 2027-01-15", "text_missing"),
        ("defer 1", "value_missing"),
    ],
)
def test_mistakes_are_named_and_worded_with_the_usage(text, reason):
    error = parse_command(text)
    assert isinstance(error, CommandError)
    assert error.reason == reason
    words = render_command_error(error)
    assert words
    if error.action:
        assert f"`/frontdesk {error.action}" in words


def test_help_lists_every_action():
    text = render_help()
    assert all(f"`/frontdesk {action}" in text for action in [*SHAPES, "list"])


@given(st.text(max_size=300))
def test_any_text_gives_a_command_or_a_mistake(text):
    assert isinstance(parse_command(text), Command | CommandError)


@given(
    st.sampled_from(["reply", "note", "workaround", "reopen"]),
    st.integers(min_value=1, max_value=999_999),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).filter(
        lambda t: t.strip() == t and "<" not in t and ">" not in t and "&" not in t
    ),
    st.sampled_from(["SR-{:06d}", "{}", "#{}", "sr{}"]),
)
def test_a_command_typed_as_a_person_would_reads_back_the_same(action, number, text, form):
    parsed = parse_command(f"{action} {form.format(number)} {text}")
    assert parsed == Command(action, number, text)
