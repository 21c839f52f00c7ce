"""The ids of the ways in: the slash commands, action ids and callback ids Slack sends back.

Rules:
- One table, `IDS`, read by the route table (bot.slack.routes: who may use each way in) and by the templates that
  write the buttons and forms (the `ids` template global, bot.render), so a template cannot drift from its route.
- An id ending in ":" is a prefix: the action's own word or the request's SR follows it.
"""

SUPPORT, FRONTDESK = "/support", "/frontdesk"
SUPPORT_FORM = "support_form"
AGENT_COMMANDS = (
    "triage", "kind", "defect", "workaround", "fix", "defer", "reply", "note", "pause", "resume", "assign",
    "escalate", "resolve", "reopen", "show", "list", "outage", "postmortem",
)  # fmt: skip
CARD_ACTIONS = ("triage", "reply", "pause", "resume", "defect", "assign", "escalate", "resolve", "reopen")
AGENT_FORMS = {"reply": "agent_reply", "escalate": "agent_escalate", "reopen": "agent_reopen", "triage": "agent_triage"}
HELD_DECISIONS = ("attached", "opened", "dismissed")
OFFER_ANSWERS = ("yes", "no")  # "Open a request?" under a customer's message

IDS = {
    "open_form": "open_form",
    "answer": "answer:",
    "card": "card:",
    "resolution": "resolution:",
    "rate": "rate:",
    "held": "held:",
    "offer": "offer:",
    "support_form": SUPPORT_FORM,
    "support_shortcut": "support_request",
    "rating_comment": "rating_comment",
    **{f"form_{action}": callback for action, callback in AGENT_FORMS.items()},
}
