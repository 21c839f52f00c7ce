"""Email into the chat (issue 7): IMAP and a pipe in, SMTP out through the outbox, threading, loops, spoofing."""
