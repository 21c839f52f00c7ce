"""Email into the chat: IMAP and a pipe in, SMTP out through the outbox, threading, loops, spoofing."""
