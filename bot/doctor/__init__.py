"""What `frontdesk doctor` checks, and `frontdesk run` and `worker` at start (docs/operations.md, "Doctor").

Rules:
- Every check answers findings (bot.doctor.findings), one line each, never a secret; all checks run, so every
  problem is listed at once. A check that cannot go on (Slack unreachable, the token refused) says so once and
  the checks that need it are skipped.
- The checks: the configuration (the environment, the desk config and its policy, the SMTP variables, the
  database URL, `[email]` without an SMTP server) and the placeholder ids `frontdesk init` writes
  (bot.doctor.configuration); the bot token (and the app-level token in Socket Mode), its scopes against the
  manifest's, the bot a member of every configured channel, the user groups readable (bot.doctor.slack); the SMTP
  and IMAP logins (bot.doctor.mail); the database reachable and migrated (bot.doctor.database).
- Nothing here changes anything: no message is posted, no mail sent, no table written.
"""
