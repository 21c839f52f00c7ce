"""What the bot writes fits Slack's limits exactly: `cut` never goes over, a policy's 75-character labels are whole
buttons and options that Slack (the emulator's Block Kit checks) takes, and a longer text is cut with "…"."""

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.desk.intake.draft import Draft
from bot.render import cut, render_json
from bot.slack.form_view import FormTarget, form_view
from sla.triage import Choice, Matrix
from sla.wording import BUTTON
from slack_emulator import SlackEmulator, Workspace
from slack_emulator.blockkit import block_problems
from storage.engine import Database
from tests.bot.conversation import Conversation, conversation_on, desk_config

LONGEST = "Everyone in every office, and the critical services they depend on, all day"  # 75 characters


@given(text=st.text(max_size=200), most=st.integers(min_value=1, max_value=120))
def test_cut_never_goes_over_and_marks_what_it_cut(text: str, most: int) -> None:
    kept = cut(text, most)
    assert len(kept) <= most
    assert (kept == text) == (len(text) <= most)
    if kept != text:
        assert kept.endswith("…")
        assert text.startswith(kept.removesuffix("…"))


def test_cut_prefers_a_word_boundary_and_cuts_a_long_word_in_it() -> None:
    assert cut("Most users of the app", 12) == "Most users…"
    assert cut("x" * 80, 75) == "x" * 74 + "…"
    with pytest.raises(ValueError, match="0 characters"):
        cut("x", 0)


def long_labelled_kiwi(folder: Path) -> str:
    """The kiwi preset as a policy file whose first impact is labelled with exactly 75 characters."""
    text = resources.files("sla.presets").joinpath("kiwi.toml").read_text(encoding="utf-8")
    assert len(LONGEST) == BUTTON.most
    (folder / "long.toml").write_text(text.replace('"All users, or a critical service"', f'"{LONGEST}"'))
    return "long.toml"


@pytest.fixture
def long_labels(db: Database, tmp_path: Path) -> Iterator[Conversation]:
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, policy=long_labelled_kiwi(tmp_path)))


def buttons(conversation: Conversation, channel: str, ts: str) -> list[str]:
    return [
        element["text"]["text"]
        for message in conversation.thread(channel, ts)
        for block in message.blocks or ()
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_a_75_character_label_is_a_whole_button_that_slack_takes(long_labels: Conversation) -> None:
    root = long_labels.slack.dm("alice", "The dashboard shows no data").message

    def press(action_id: str) -> None:
        long_labels.slack.block_actions("alice", long_labels.thread(root.channel, root.ts)[-1], action_id)
        long_labels.settle()

    long_labels.settle()
    press("answer:yes")  # the contact details
    long_labels.slack.dm("alice", "today 9:00", thread_ts=root.ts)
    long_labels.settle()
    press("answer:not applicable")  # the steps
    press("answer:none")  # the files: next comes the impact, with the policy's labels as buttons
    assert LONGEST in buttons(long_labels, root.channel, root.ts)
    refused = [c for c in long_labels.emulator.calls() if c.error in ("invalid_blocks", "invalid_arguments")]
    assert refused == []


def test_a_75_character_label_is_a_whole_option_of_the_support_form(db: Database, tmp_path: Path) -> None:
    with SlackEmulator(Workspace.example()) as emulator:
        ws = emulator.workspace
        desk = desk_config(ws, tmp_path, policy=long_labelled_kiwi(tmp_path))
        view = form_view(desk, Draft(impact="extended"), FormTarget(None, 0), None)
        opened = emulator.client().views_open(trigger_id=ws.issue_trigger(ws.user("alice")), view=view)
    impact = next(block for block in opened["view"]["blocks"] if block.get("block_id") == "impact")
    assert impact["element"]["options"][0]["text"]["text"] == LONGEST
    assert impact["element"]["initial_option"]["text"]["text"] == LONGEST


def test_a_longer_label_from_elsewhere_is_cut_to_75_with_a_visible_mark() -> None:
    too_long = "x" * 76 + " and then some more words to make it 80 plus"
    matrix = Matrix(
        "How many?",
        "How soon?",
        (Choice("all", too_long), Choice("some", "Some")),
        (Choice("now", "Now"),),
        (("P1",), ("P2",)),
    )
    blocks = render_json(
        "slack/ask.blocks.json.j2", text="How many?", field="impact", ticket={"id": 7}, matrix=matrix, private=True
    )
    labels = [element["text"]["text"] for element in blocks[1]["elements"]]
    assert labels == ["x" * 74 + "…", "Some"]
    assert block_problems(blocks, most=50) == ()
