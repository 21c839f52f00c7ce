"""The desk's IMAP mailboxes watched in threads, one per mailbox (bot.email.imap_poller does the work).

Rules: `start()` starts one thread per mailbox, each running its poller until `stop()`; a poller logs and retries
its own errors, so one unreachable mailbox never stops the others. `stop()` ends them and logs out.
"""

import threading
from collections.abc import Callable
from datetime import datetime

from bot.config.email import EmailDesk
from bot.email.imap_poller import ImapPoller
from storage.attachments import AttachmentStore
from storage.engine import Database


class Mailboxes:
    def __init__(
        self, desk: EmailDesk, database: Database, store: AttachmentStore, clock: Callable[[], datetime]
    ) -> None:
        self.pollers = [
            ImapPoller(mailbox, database, store, max_bytes=desk.max_message_bytes, clock=clock)
            for mailbox in desk.mailboxes
        ]
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=poller.run, args=(self._stop,), name=f"imap-{poller_name}", daemon=True)
            for poller, poller_name in zip(self.pollers, (m.name for m in desk.mailboxes), strict=True)
        ]

    def start(self) -> "Mailboxes":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        for poller in self.pollers:
            poller.close()
