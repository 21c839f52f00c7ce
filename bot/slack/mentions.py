"""Slack's mention markup, written from ids: `<@U…>` notifies a user, `<!subteam^S…>` a user group.

Rules:
- The services (bot.desk) say who a message is for as ids (bot.config.desk.People); only the Slack side writes
  them as markup, when it says the message.
- Only ids from the desk config become mentions (bot.config.desk checks their shape); what a person typed is
  escaped by the templates' `mrkdwn` filter (bot.render) and never notifies anyone.
- Users first, then user groups, each in the order given, separated by spaces; nobody (or only email addresses)
  gives "".
"""

from bot.config.desk import People


def mentions(people: People) -> str:
    """The markup that notifies `people`'s Slack users and user groups."""
    return " ".join([*(f"<@{user}>" for user in people.users), *(f"<!subteam^{group}>" for group in people.usergroups)])
