"""Triage: an impact and an urgency turned into a priority by a policy's matrix (KIWI's STAGE+ support policy)."""

import pytest

from sla.triage import Choice, Matrix, TriageError
from tests.sla.policy_helpers import preset

SMALL = Matrix(
    impact_question="How many users are affected?",
    urgency_question="Can they keep working?",
    impacts=(Choice("everyone", "Everyone"), Choice("someone", "Someone")),
    urgencies=(Choice("blocked", "No"), Choice("annoyed", "Yes")),
    cells=(("P1", "P2"), ("P2", "P3")),
)


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("everyone", "blocked", "P1"),
        ("everyone", "annoyed", "P2"),
        ("someone", "blocked", "P2"),
        ("someone", "annoyed", "P3"),
    ],
)
def test_rows_are_impacts_and_columns_urgencies(impact, urgency, priority):
    assert SMALL.priority_for(impact, urgency) == priority


def test_unknown_impact_raises_listing_the_impacts():
    with pytest.raises(TriageError, match=r'^unknown impact "nobody"; choose one of: everyone, someone$'):
        SMALL.priority_for("nobody", "blocked")


def test_unknown_urgency_raises_listing_the_urgencies():
    with pytest.raises(TriageError, match=r'^unknown urgency "whenever"; choose one of: blocked, annoyed$'):
        SMALL.priority_for("everyone", "whenever")


def test_choices_are_named_by_name_not_label():
    with pytest.raises(TriageError, match="unknown impact"):
        SMALL.priority_for("Everyone", "blocked")


def test_a_triage_error_is_a_value_error():
    assert issubclass(TriageError, ValueError)


def test_kiwi_unknown_impact_lists_the_four_seed_impacts():
    matrix = preset("kiwi").matrix
    assert matrix is not None
    with pytest.raises(TriageError) as caught:
        matrix.priority_for("scope", "critical")  # KIWI's matrix row says "1. Scope"; the impact is "extended"
    assert str(caught.value) == 'unknown impact "scope"; choose one of: extended, important, moderate, minor'
    assert matrix.priority_for("extended", "critical") == "P1"


def test_kiwi_matrix_questions():
    matrix = preset("kiwi").matrix
    assert matrix is not None
    assert (matrix.impact_question, matrix.urgency_question) == (
        "How many users are affected?",
        "Can they keep working?",
    )


def test_the_suggested_priority_is_the_matrix_cell_once_both_are_answered():
    kiwi = preset("kiwi")
    assert kiwi.suggested_priority("extended", "critical") == "P1"
    assert kiwi.suggested_priority("extended", None) is None
    assert kiwi.suggested_priority("", "critical") is None


def test_without_a_matrix_nothing_is_suggested():
    assert preset("owkin").suggested_priority("extended", "critical") is None
