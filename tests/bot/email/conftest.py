from tests.bot.email.dovecot import dovecot, imap_mailbox, own_dovecot, seen_only_mailbox  # noqa: F401  (fixtures)
