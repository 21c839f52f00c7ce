"""Files shared with a Slack message, downloaded before the worker's transaction and kept in the attachment store.

Rules (docs/architecture.md, "The path of a message", step 3):
- A message lists its files; each is looked up with files.info (an event's copy may be partial) for its
  `url_private_download`, then fetched with the bot token as a Bearer header, and saved by the AttachmentStore,
  which names it by its content and detects its type from the bytes.
- A file Slack says is over the cap is not downloaded; one that turns out larger while reading is refused by the
  store. Both become a refused `SharedFile` (name and limit), so the requester is told and the message goes on.
  So does a file whose content the store finds to be of a blocked type (name and detected type): its download
  stops at the first bytes and nothing of it is kept.
- The token goes only to Slack's own file hosts, over https: files.slack.com and the other hosts under slack.com
  and slack-edge.com; or to exactly the origin (scheme, host and port) of the Web API base URL the client was
  built with (SLACK_API_URL, bot.config.environment), so that a local Slack such as slack_emulator works.
- A file whose URL is anywhere else is not fetched at all: it is left out like a file Slack no longer has, and
  one warning names the file and the origin. Slack keeps every uploaded file on its own hosts, so such a URL is an
  external file (a link to a document elsewhere, still in the message) or an answer that is not Slack's; the
  requester is not told that the file was refused, since nothing is known of its size or type.
- A redirect keeps the token only to the same origin, and only when that origin is allowed too: one to another
  host, or from https to http, is followed without it.
- A file Slack no longer has (deleted before the worker got to it) is left out. Any other failure raises, so the
  inbox row is retried and nothing received is lost.
"""

import logging
import urllib.request
from collections.abc import Iterable
from http.client import HTTPMessage
from typing import IO, Any, BinaryIO
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.desk.intake.requests import SharedFile
from storage.attachments import AttachmentStore
from storage.errors import AttachmentTooLargeError, AttachmentTypeBlockedError

TIMEOUT = 60.0
GONE = frozenset({"file_not_found", "file_deleted"})
SLACK_FILE_DOMAINS = ("slack.com", "slack-edge.com")
_DEFAULT_PORTS = {"http": 80, "https": 443}

log = logging.getLogger(__name__)


class ForeignFileHostError(Exception):
    """A file URL the bot token may not go to (see the rules above); `origin` is its scheme, host and port."""

    def __init__(self, origin: str) -> None:
        super().__init__(f"{origin} is not one of Slack's file hosts")
        self.origin = origin


def origin_of(url: str) -> tuple[str, str, int | None]:
    """The (scheme, host, port) of `url`, lower case, the port filled in for http and https; ValueError when its
    port is not a number."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme)


def token_may_go(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to `url`: https on a Slack file host, or the origin of `api_url`."""
    try:
        origin = origin_of(url)
        if origin == origin_of(api_url):
            return True
    except ValueError:
        return False
    scheme, host, port = origin
    return (scheme, port) == ("https", 443) and host.endswith(tuple("." + domain for domain in SLACK_FILE_DOMAINS))


class _KeepTokenAtHome(urllib.request.HTTPRedirectHandler):
    """Follows redirects, dropping the Authorization header unless one stays on the same origin and that origin
    may have the token."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        following = super().redirect_request(req, fp, code, msg, headers, newurl)
        if following is not None and not (_same_origin(newurl, req.full_url) and token_may_go(newurl, self.api_url)):
            following.remove_header("Authorization")
        return following


def _same_origin(url: str, other: str) -> bool:
    try:
        return origin_of(url) == origin_of(other)
    except ValueError:
        return False


def open_private(url: str, token: str | None, *, api_url: str, timeout: float = TIMEOUT) -> BinaryIO:
    """A private Slack file URL opened with the bot token, which goes nowhere but where `token_may_go` allows;
    ForeignFileHostError, before anything is sent, for any other URL."""
    if not token_may_go(url, api_url):
        parts = urlsplit(url)
        raise ForeignFileHostError(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(_KeepTokenAtHome(api_url))
    return opener.open(request, timeout=timeout)  # type: ignore[no-any-return]


class SlackFiles:
    """Downloads the files of Slack messages into `store`, with the bot token of `client`."""

    def __init__(self, client: WebClient, store: AttachmentStore) -> None:
        self.client, self.store = client, store  # the client's base_url is the SLACK_API_URL it was built with

    def fetch(self, listed: Iterable[dict[str, Any]]) -> tuple[SharedFile, ...]:
        """The message's files (as its event lists them), saved or refused; one Slack no longer has, or whose URL is
        not on Slack's file hosts, is left out."""
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
            downloaded = self._download(found)
            if downloaded is not None:
                shared.append(downloaded)
        return tuple(shared)

    def _download(self, file: dict[str, Any]) -> SharedFile | None:
        name, size = str(file.get("name") or file.get("title") or "file"), int(file.get("size") or 0)
        limit = self.store.max_bytes
        if size > limit:
            return SharedFile(name, size, limit=limit)
        url = str(file.get("url_private_download") or file.get("url_private"))
        try:
            response = open_private(url, self.client.token, api_url=self.client.base_url)
        except ForeignFileHostError as error:
            log.warning("file %s not fetched, the bot token goes only to Slack: %s", file.get("id"), error)
            return None
        with response:
            try:
                stored = self.store.save(response, name)
            except AttachmentTooLargeError as error:
                return SharedFile(name, error.size, limit=limit)
            except AttachmentTypeBlockedError as error:
                return SharedFile(name, size, blocked_type=error.content_type)
        return SharedFile(stored.name, stored.size, stored=stored)
