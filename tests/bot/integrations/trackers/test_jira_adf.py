"""Plain text to Atlassian Document Format and back (bot.integrations.trackers.adf), checked against Atlassian's ADF
schema (tests/standins/specs/jira/adf-schema.json): whatever a person types, the document is valid."""

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from bot.integrations.trackers import adf

SCHEMA = Draft4Validator(json.loads((Path(__file__).parents[3] / "standins/specs/jira/adf-schema.json").read_text()))
FRAGMENTS = st.text(st.characters(codec="utf-8")) | st.sampled_from(["\n", "\r\n", "\r", "\t", " ", "\x00", "\x1b"])
ANY_TEXT = st.lists(FRAGMENTS).map("".join)


def words(text: str) -> list[str]:
    return adf.clean(text).split()


@given(ANY_TEXT)
def test_any_text_makes_a_valid_document_that_reads_back_to_the_same_words(text: str) -> None:
    document = adf.document(text)

    assert list(SCHEMA.iter_errors(document)) == []
    assert words(adf.text_of(document)) == words(text)
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # never a lone surrogate


@given(st.lists(st.text(st.characters(categories=["L", "N", "P"]), min_size=1), min_size=1))
def test_lines_without_a_blank_one_are_one_paragraph_with_hard_breaks(lines: list[str]) -> None:
    document = adf.document("\n".join(lines))

    [paragraph] = document["content"]
    assert [node["type"] for node in paragraph["content"]].count("hardBreak") == len(lines) - 1


def test_paragraphs_breaks_and_links() -> None:
    document = adf.document("First line\nsecond line\r\n\r\nSee https://status.example.com/x, then reply.\x07")

    assert document == {
        "version": 1,
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "First line"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "second line"},
                ],
            },
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "See "},
                    {
                        "type": "text",
                        "text": "https://status.example.com/x",
                        "marks": [{"type": "link", "attrs": {"href": "https://status.example.com/x"}}],
                    },
                    {"type": "text", "text": ", then reply."},
                ],
            },
        ],
    }


def test_empty_text_is_an_empty_document_and_markup_stays_text() -> None:
    assert adf.document("") == {"version": 1, "type": "doc", "content": []}
    assert adf.document(" \n\n\t") == {"version": 1, "type": "doc", "content": []}
    assert adf.document("a\ud800b\x00") == adf.document("ab")  # a lone surrogate and NUL dropped
    forged = adf.document('{"type": "panel"} h1. Title *bold*')
    assert forged["content"][0]["content"] == [{"type": "text", "text": '{"type": "panel"} h1. Title *bold*'}]


def test_a_jira_comment_reads_as_text() -> None:
    body = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "[public] Fixed in "},
                                              {"type": "text", "text": "2026.12", "marks": [{"type": "strong"}]}]},
            {"type": "paragraph", "content": [{"type": "mention", "attrs": {"id": "1", "text": "@Dana"}}]},
            {"type": "bulletList", "content": [{"type": "listItem", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "deploy"}]}]}]},
        ],
    }  # fmt: skip

    assert adf.text_of(body) == "[public] Fixed in 2026.12\n@Dana\ndeploy"
    assert adf.text_of("plain v2 body") == "plain v2 body"
    assert adf.text_of(None) == ""
