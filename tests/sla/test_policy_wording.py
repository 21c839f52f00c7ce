"""A policy's words that Slack shows fit where Slack shows them, or the policy is refused at load, naming the key,
the text and the limit (sla.wording)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla import presets
from sla.policy_loader import parse_policy
from tests.sla.test_policy_loader import CALENDARS, PLANS, SOURCE, assert_refused, matrix, policy_text


def choices(impact_label: str = "All", count: int = 2) -> str:
    impacts = ", ".join(f'{{ name = "i{n}", label = "{impact_label if n == 0 else "Some"}" }}' for n in range(count))
    return f'impacts = [{impacts}]\nurgencies = [{{ name = "now" }}, {{ name = "later" }}]'


def grid(rows: int) -> str:
    return "[" + ", ".join('["high", "low"]' for _ in range(rows)) + "]"


def test_a_choice_label_of_75_characters_loads():
    policy = parse_policy(matrix(grid(2), choices("x" * 75)), source=SOURCE)
    assert policy.matrix is not None
    assert policy.matrix.impacts[0].label == "x" * 75


def test_a_choice_label_of_76_characters_is_refused_naming_it_and_the_limit():
    assert_refused(matrix(grid(2), choices("x" * 76)), "matrix.impacts[0].label", "76 characters", "a button", "75")


def test_a_choice_without_a_label_shows_its_name_which_must_fit_too():
    text = matrix(grid(2), f'impacts = [{{ name = "{"n" * 76}" }}, {{ name = "some" }}]\n' + choices().split("\n")[1])
    assert_refused(text, "matrix.impacts[0].label", "76 characters")


def test_a_choice_name_is_an_option_value_of_at_most_150_characters():
    long_name = "n" * 151
    text = matrix(
        grid(2), f'impacts = [{{ name = "{long_name}", label = "A" }}, {{ name = "s" }}]\n' + choices().split("\n")[1]
    )
    assert_refused(text, "matrix.impacts[0].name", "151 characters", "150")


def test_a_matrix_question_labels_a_form_field_of_at_most_2000_characters():
    fits = matrix(grid(2)).replace("[matrix]\n", f'[matrix]\nimpact_question = "{"q" * 2000}"\n')
    assert parse_policy(fits, source=SOURCE).matrix is not None
    over = matrix(grid(2)).replace("[matrix]\n", f'[matrix]\nurgency_question = "{"q" * 2001}"\n')
    assert_refused(over, "matrix.urgency_question", "2001 characters", "2,000")


def test_a_question_has_at_most_25_answers_in_its_row_of_buttons():
    assert parse_policy(matrix(grid(25), choices(count=25)), source=SOURCE).matrix is not None
    assert_refused(matrix(grid(26), choices(count=26)), "matrix.impacts", "26 choices", "25 buttons")


def priorities(label: str, count: int = 2) -> str:
    rows = [f'[[priorities]]\nname = "P{n}"\nlabel = "{label}"\n' for n in range(count)]
    return "\n".join(rows)


def policy_with_priorities(label: str, count: int = 2) -> str:
    return "\n".join((CALENDARS, priorities(label, count), PLANS.replace("high", "P0")))


def test_a_priority_shown_as_name_and_label_fits_an_option():
    policy = parse_policy(policy_with_priorities("x" * 72), source=SOURCE)  # "P0 " + 72 = 75
    assert policy.priorities[0].label == "x" * 72
    assert_refused(policy_with_priorities("x" * 73), "priorities[0].label", '"P0 xxx', "76 characters", "75")


def test_a_policy_has_at_most_100_priorities_for_the_triage_cards_menu():
    assert len(parse_policy(policy_with_priorities("High", 100), source=SOURCE).priorities) == 100
    assert_refused(policy_with_priorities("High", 101), "priorities", "101 priorities", "100")


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_fits(name):
    assert presets.load(name).priorities


@given(length=st.integers(min_value=1, max_value=100))
def test_a_label_loads_exactly_when_it_fits_a_button(length):
    text = matrix(grid(2), choices("x" * length))
    if length <= 75:
        assert parse_policy(text, source=SOURCE).matrix is not None
    else:
        assert_refused(text, "matrix.impacts[0].label", f"{length} characters")


def test_the_small_policy_of_the_loader_tests_still_loads():
    assert parse_policy(policy_text(), source=SOURCE).priorities
