"""The name the bot signs its own changes with in the audit log (storage.audit): `ACTOR`.

Rules:
- Whatever the bot does on its own (completing a request, a sweep's reminders and escalations, an automatic
  close, the customers and maintenance windows of the desk config, a request's thread found) is audited as
  done by `ACTOR`; a person's action is audited under their own id.
- The abandoned-intake sweep leaves the bot's own events out of a request's activity by this name
  (storage.intake_idle), so the bot's reminders never keep a request open.
"""

ACTOR = "frontdesk"
