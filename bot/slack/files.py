"""Files shared with a Slack message, downloaded before the worker's transaction and kept in the attachment store.

Rules (issue 4, "The intake conversation"; DESIGN.md, "The path of a message"):
- A message lists its files; each is looked up with files.info (an event's copy may be partial) for its
  `url_private_download`, then fetched with the bot token as a Bearer header, and saved by the AttachmentStore,
  which names it by its content and detects its type from the bytes.
- A file Slack says is over the cap is not downloaded; one that turns out larger while reading is refused by the
  store. Both become a refused `SharedFile` (name and limit), so the requester is told and the message goes on.
  So does a file whose content the store finds to be of a blocked type (name and detected type): its download
  stops at the first bytes and nothing of it is kept.
- The token goes only to the file's own host: a redirect elsewhere is followed without it.
- A file Slack no longer has (deleted before the worker got to it) is left out. Any other failure raises, so the
  inbox row is retried and nothing received is lost.
"""

import urllib.request
from collections.abc import Iterable
from http.client import HTTPMessage
from typing import IO, Any, BinaryIO
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.intake.requests import SharedFile
from storage.attachments import AttachmentStore
from storage.errors import AttachmentTooLargeError, AttachmentTypeBlockedError

TIMEOUT = 60.0
GONE = frozenset({"file_not_found", "file_deleted"})


class _KeepTokenAtHome(urllib.request.HTTPRedirectHandler):
    """Follows redirects, dropping the Authorization header when one leads to another host."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        following = super().redirect_request(req, fp, code, msg, headers, newurl)
        if following is not None and urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            following.remove_header("Authorization")
        return following


_OPENER = urllib.request.build_opener(_KeepTokenAtHome())


def open_private(url: str, token: str | None, *, timeout: float = TIMEOUT) -> BinaryIO:
    """A private Slack file URL opened with the bot token (which never leaves the URL's host)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    return _OPENER.open(request, timeout=timeout)  # type: ignore[no-any-return]


class SlackFiles:
    """Downloads the files of Slack messages into `store`, with the bot token of `client`."""

    def __init__(self, client: WebClient, store: AttachmentStore) -> None:
        self.client, self.store = client, store

    def fetch(self, listed: Iterable[dict[str, Any]]) -> tuple[SharedFile, ...]:
        """The message's files (as its event lists them), saved or refused."""
        shared = []
        for entry in listed:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            if not file_id:
                continue
            try:
                found = self.client.files_info(file=str(file_id))["file"]
            except SlackApiError as error:
                if error.response.get("error") in GONE:
                    continue
                raise
            shared.append(self._download(found))
        return tuple(shared)

    def _download(self, file: dict[str, Any]) -> SharedFile:
        name, size = str(file.get("name") or file.get("title") or "file"), int(file.get("size") or 0)
        limit = self.store.max_bytes
        if size > limit:
            return SharedFile(name, size, limit=limit)
        url = str(file.get("url_private_download") or file.get("url_private"))
        with open_private(url, self.client.token) as response:
            try:
                stored = self.store.save(response, name)
            except AttachmentTooLargeError as error:
                return SharedFile(name, error.size, limit=limit)
            except AttachmentTypeBlockedError as error:
                return SharedFile(name, size, blocked_type=error.content_type)
        return SharedFile(stored.name, stored.size, stored=stored)
