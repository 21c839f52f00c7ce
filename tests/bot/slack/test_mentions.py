"""Mentions are written by the Slack side from the desk config's ids: users, then user groups."""

from bot.config.desk import NOBODY, People
from bot.slack.mentions import mentions


def test_users_then_user_groups_in_the_order_given() -> None:
    people = People(users=("U1", "W2"), usergroups=("S3",), emails=("lead@example.com",))
    assert mentions(people) == "<@U1> <@W2> <!subteam^S3>"


def test_nobody_or_only_email_addresses_mention_no_one() -> None:
    assert mentions(NOBODY) == ""
    assert mentions(People(emails=("lead@example.com",))) == ""
