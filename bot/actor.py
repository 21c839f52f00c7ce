"""The names the audit log (storage.audit) gives changes nobody made in Slack: the bot's `ACTOR`, the CLI's `CLI_ACTOR`.

Rules:
- Whatever the bot does on its own (completing a request, a sweep's reminders and escalations, an automatic
  close, the customers and maintenance windows of the desk config, a request's thread found) is audited as
  done by `ACTOR`; a person's action is audited under their own id.
- The abandoned-intake sweep leaves the bot's own events out of a request's activity by this name
  (storage.intake_idle), so the bot's reminders never keep a request open.
- What a person does with the `frontdesk` command (a maintenance window added, a dead letter retried or
  dismissed) is audited as done by `CLI_ACTOR`.
"""

ACTOR = "frontdesk"
CLI_ACTOR = "cli"
