"""Reading a received email: who sent it, what it answers, its subject and text, the new part
of a reply, its files, and whether it may be answered at all (bot.email.verdicts).

Rules:
- Parsed with the standard library's modern API (policy.default), within the limits of bot.email.limits (header
  block, nesting depth, number of parts): a message beyond them is Unparseable, naming the limit, and is never
  parsed further. `parse_email` never raises: anything that goes wrong while reading becomes Unparseable, with a
  one-line reason. A message is Unparseable too when its bytes have no header lines, or when it has neither a
  readable From address nor any text or file. Anything less
  broken is read as far as it goes: each header is read on its own, and one that cannot be read (a bad Date, an
  address the parser refuses) is None or "" without affecting the rest.
- Junk lines among the headers (before the first blank line, a line that is neither a field nor a continuation,
  with a well-known field such as Subject, Date, Message-ID, Content-* or X-* after it) are dropped before
  parsing: the fields after them are kept, not taken for the body. Text that follows the headers without a
  blank line stays text (unless a well-known field comes after it).
- Headers: RFC 2047 encoded words are decoded in any charset Python knows (an unknown one gives U+FFFD), the
  space between two of them dropped (the standard library keeps it in names); raw 8-bit bytes are read as
  UTF-8, else as Windows-1252. The subject is one line, whitespace runs folded. Addresses (From, Reply-To, To
  and Cc) are lower-cased and must have a local part and a domain. The threading ids are the `<...>` tokens of
  Message-ID (the first), In-Reply-To and References (all, in order, once each). The Date is aware and in UTC;
  a date without a zone ("-0000") is taken as UTC.
- Text is decoded from base64 or quoted-printable in the charset its part names; none, us-ascii or a charset
  Python does not know is read as UTF-8, and bytes that do not decode become U+FFFD. Line ends become "\\n".
  Lone surrogates that some decoders let through (UTF-7, unicode_escape) become U+FFFD in every text and name,
  so all of it can be stored.
- `text` is the first text/plain part that is neither an attachment nor named (as the standard library's
  get_body finds it, without failing on broken structures), else the first such text/html part made readable
  by inscriptis (the text of links kept, scripts and styles dropped); a blank text/plain gives way to the HTML.
  Text/plain parts that continue the body in its multipart/mixed (Apple Mail splits the text around inline
  images; servers append footers as parts) are part of the text.
- `reply` is the new part of `text`: quoted history (Gmail's "On ... wrote:" and "> " quotes, Outlook's
  "From: / Sent: / To: / Subject:" block, "-----Original Message-----") and the signature ("-- ", "Best
  regards", ...) are removed by mail-parser-reply, reading English, German, French and Spanish; lists written
  with hyphens are kept. A forward (a subject starting with Fwd:, FW:, WG:, TR: or RV:, or a forwarded-message
  line such as "---------- Forwarded message ---------" above the history) is kept whole: what was forwarded
  is the message. When nothing is left, `reply` is `text`. The library's patterns are quadratic on long lines,
  so only the first REPLY_SCAN characters are searched and lines over LONG_LINE characters are skipped (kept
  as they are); a longer text without history in its beginning is its own reply.
- Files are every part that is not the body, its alternative or a continuation: attachments and inline images,
  each decoded once, whatever its size (the caller applies the cap). An attached message (message/rfc822, also
  a bounce's delivery-status) is one file, the message serialised as it was parsed, with its own attachments
  inside it: nothing of a forwarded message is lost or shown twice, and any mail client opens it. A name is
  the sender's (RFC 2231 and RFC 2047 decoded; path separators are kept, the attachment store sanitises), or
  `attachment-<n><ext>` / `inline-<n><ext>`, n the file's position from 1 and ext guessed from the content
  type (Python's built-in table, so the same on every machine). A file is inline when its Content-Disposition
  says so, or when it has none and carries a Content-ID (an image the HTML shows). A part with neither a name
  nor content is not a file.
- `automated`, `auth_failure` and `verdict` (whether our own server proved the From address) follow the rules of
  bot.email.verdicts; `frontdesk_key` is X-Frontdesk-Key as
  it came (everything we send carries it).
- SR numbers: `sr_numbers` finds "SR-000123", "[SR-123]", "sr-123" (case-insensitive, whole words), in order,
  once each; SR-0 and numbers of more than MAX_SR_DIGITS digits are not SR numbers.
"""

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader
from email.message import EmailMessage, Message
from email.policy import default
from email.utils import getaddresses
from io import BytesIO
from mimetypes import MimeTypes

from inscriptis import get_text
from mailparser_reply import EmailMessage as ReplyReader

from bot.email import limits
from bot.email.verdicts import Verdict, auth_failure, automated_reason, raw_values, sender_verdict

REPLY_LANGUAGES = ("en", "de", "fr", "es")
REPLY_SCAN = 50_000  # characters of the text searched for quoted history and a signature
LONG_LINE = 300  # characters: a longer line is neither a quote header nor a signature
MAX_SR_DIGITS = 9
_SERIALISED = default.clone(refold_source="none", linesep="\r\n")  # headers written back as they came
_TYPES = MimeTypes()  # Python's own table only, not the machine's
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SR = re.compile(r"\bSR-([0-9]+)\b", re.IGNORECASE)
_FIELD = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_-]*:(?!//)")  # a header field's name (not a link's scheme)
_KNOWN_FIELD = re.compile(
    rb"(?:from|to|cc|subject|date|sender|reply-to|message-id|in-reply-to|references|mime-version|received"
    rb"|return-path|delivered-to|authentication-results|auto-submitted|precedence|(?:content|list|dkim|x)-[\w-]+):",
    re.IGNORECASE,
)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_NEWLINES = re.compile(r"\r\n?")
_SURROGATES = re.compile("[\ud800-\udfff]")
_ENCODED_WORD = r"=\?[^?\s]+\?[bq]\?[^?\s]*\?="
_BETWEEN_ENCODED_WORDS = re.compile(rf"({_ENCODED_WORD})\s+(?={_ENCODED_WORD})", re.IGNORECASE)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:fwd?|wg|tr|rv)\s*:", re.IGNORECASE)
_FORWARD_LINE = re.compile(
    r"^\s*(?:-{2,} ?(?:forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado)"
    r" ?-{2,}|(?:begin forwarded message|anfang der weitergeleiteten nachricht|d[ée]but du message r[ée]exp[ée]di[ée]"
    r"|inicio del mensaje reenviado) ?:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class MailFile:
    name: str  # the sender's filename, or "attachment-<n><ext>" / "inline-<n><ext>"
    content: bytes
    inline: bool  # an inline image or part (Content-Disposition inline, or a Content-ID the HTML refers to)


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str | None  # "<...>" as in the header
    in_reply_to: tuple[str, ...]  # every <id> in In-Reply-To
    references: tuple[str, ...]  # every <id> in References, in header order
    sender: str | None  # the From address, lower-cased
    sender_name: str | None  # its display name, decoded
    reply_to: str | None  # the Reply-To address, lower-cased
    to: tuple[str, ...]  # the To and Cc addresses, lower-cased
    subject: str  # decoded, one line; "" when absent
    date: datetime | None  # aware, UTC
    text: str  # the body as text ("" when none)
    reply: str  # the new part of `text`: no quoted history, no signature
    files: tuple[MailFile, ...]  # attachments and inline images
    automated: str | None  # why it must never be answered (bot.email.verdicts); None for a person's mail
    auth_failure: str | None  # the failing Authentication-Results verdict, e.g. "dmarc=fail"
    verdict: Verdict  # whether our own mail server proved the From address
    frontdesk_key: str | None  # X-Frontdesk-Key: one of our own messages come back


@dataclass(frozen=True)
class Unparseable:
    reason: str  # one line for people, never empty


@dataclass(frozen=True)
class _Tree:
    """The parts of a message that are not containers (an attached message is one), in order, and every part's
    container."""

    leaves: tuple[Message, ...]
    parents: dict[int, Message]  # by id() of the part

    @classmethod
    def of(cls, message: Message) -> "_Tree":
        leaves: list[Message] = []
        parents: dict[int, Message] = {}
        stack = [message]
        while stack:
            part = stack.pop()
            if part.get_content_maintype() != "multipart" or not part.is_multipart():
                leaves.append(part)
                continue
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            parents.update((id(child), part) for child in children)
            stack.extend(reversed(children))
        return cls(tuple(leaves), parents)

    def ancestors(self, part: Message) -> Iterator[Message]:
        while id(part) in self.parents:
            part = self.parents[id(part)]
            yield part


@dataclass(frozen=True)
class _Body:
    text: str
    parts: frozenset[int]  # id() of every part the text was taken from or stands for (alternatives)


def parse_email(raw: bytes, *, authserv_id: str | None = None) -> ParsedEmail | Unparseable:
    """The message in `raw`, read as far as it can be (see the rules above); never raises."""
    try:
        return _parse(raw, authserv_id)
    except Exception as error:  # a parser or decoder failure: the message is held for people, never lost
        return Unparseable(f"could not be read ({type(error).__name__})")


def sr_numbers(subject: str) -> tuple[int, ...]:
    """The SR numbers `subject` names, in order, once each."""
    digits = (match.group(1) for match in _SR.finditer(subject))
    return tuple(dict.fromkeys(int(found) for found in digits if len(found) <= MAX_SR_DIGITS and int(found) > 0))


def _parse(raw: bytes, authserv_id: str | None) -> ParsedEmail | Unparseable:
    too_long = limits.header_limit(raw)  # before any other work on the header block
    if too_long is not None:
        return Unparseable(too_long)
    try:
        message = limits.parse(_without_junk_lines(raw))
    except limits.OverLimit as error:
        return Unparseable(str(error))
    if not message.keys():
        return Unparseable("not an email: no header lines")
    tree = _Tree.of(message)
    body = _body(tree)
    files = _files(tree, body.parts)
    sender_name, sender = _first_address(message, "From")
    if sender is None and not body.text.strip() and not files:
        return Unparseable("no sender address, and no text or file")
    subject = _unstructured(message, "Subject")
    return ParsedEmail(
        message_id=next(iter(_ids(message, "Message-ID")), None),
        in_reply_to=_ids(message, "In-Reply-To"),
        references=_ids(message, "References"),
        sender=sender,
        sender_name=sender_name,
        reply_to=_first_address(message, "Reply-To")[1],
        to=tuple(dict.fromkeys(address for name in ("To", "Cc") for _, address in _addresses(message, name))),
        subject=subject,
        date=_date(message),
        text=body.text,
        reply=_reply(body.text, subject),
        files=files,
        automated=automated_reason(message, sender),
        auth_failure=auth_failure(message, authserv_id),
        verdict=sender_verdict(message, [address for _, address in _addresses(message, "From")], authserv_id),
        frontdesk_key=next(iter(raw_values(message, "X-Frontdesk-Key")), "").strip() or None,
    )


def _without_junk_lines(raw: bytes) -> bytes:
    """`raw` without the lines among its headers that are neither a field nor a continuation, when a well-known
    field follows them (the parser would take everything from such a line on for the body)."""
    end = _HEADER_END.search(raw)
    if end is None:
        return raw
    lines = raw[: end.start()].split(b"\n")
    known = [index for index, line in enumerate(lines) if _KNOWN_FIELD.match(line)]
    if not known:
        return raw
    kept = [
        line
        for index, line in enumerate(lines)
        if index > known[-1] or _FIELD.match(line) or line[:1] in (b" ", b"\t") or (index == 0 and line[:5] == b"From ")
    ]
    return raw if len(kept) == len(lines) else b"\n".join(kept) + raw[end.start() :]


# -- headers -------------------------------------------------------------------------------------------------


def _header(name: str, value: str) -> BaseHeader | None:
    """The header as the modern API reads it, or None when it cannot."""
    try:
        header: BaseHeader = default.header_factory(name, _BETWEEN_ENCODED_WORDS.sub(r"\1", value))
    except Exception:  # the parser's own defects: this header only is unreadable
        return None
    return header


def _unstructured(message: Message, name: str) -> str:
    """The first `name` header, decoded, on one line; "" when absent."""
    values = raw_values(message, name)
    if not values:
        return ""
    header = _header(name, values[0])
    return _clean(" ".join(str(header if header is not None else values[0]).split()))


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) of every address in the `name` headers."""
    pairs = [pair for value in raw_values(message, name) for pair in _address_pairs(name, value)]
    return [(_clean(" ".join(display.split())), address.lower()) for display, address in pairs if _is_address(address)]


def _address_pairs(name: str, value: str) -> list[tuple[str, str]]:
    addresses = getattr(_header(name, value), "addresses", None)
    if addresses is None:  # unreadable for the modern API: the older, more lenient parser
        return getaddresses([value])
    return [(address.display_name, address.addr_spec) for address in addresses]


def _is_address(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(local and at and domain)


def _first_address(message: Message, name: str) -> tuple[str | None, str | None]:
    """The display name (None when empty) and address of the first address in `name`; (None, None) if none."""
    for display, address in _addresses(message, name):
        return display or None, address
    return None, None


def _ids(message: Message, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(found for value in raw_values(message, name) for found in _MESSAGE_ID.findall(value)))


def _date(message: Message) -> datetime | None:
    values = raw_values(message, "Date")
    header = _header("Date", values[0]) if values else None
    when = getattr(header, "datetime", None)
    if not isinstance(when, datetime):
        return None
    try:
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # a year 9999 date ahead of UTC
        return None


# -- the body ------------------------------------------------------------------------------------------------


def _body(tree: _Tree) -> _Body:
    """The text of the message and the parts it comes from or stands for."""
    plain, html = _first_text(tree, "text/plain"), _first_text(tree, "text/html")
    text = _decoded(plain) if plain is not None else ""
    if html is not None and not text.strip():
        blank = {id(plain)} if plain is not None else set()
        return _Body(_html_text(_decoded(html)), frozenset({id(html), *blank} | _alternatives(html, tree)))
    if plain is None:
        return _Body("", frozenset())
    more = _continuations(plain, tree)
    text = "\n".join((text, *(_decoded(part) for part in more)))
    return _Body(text, frozenset({id(plain), *(id(part) for part in more)} | _alternatives(plain, tree)))


def _first_text(tree: _Tree, kind: str) -> Message | None:
    """The body of type `kind`, as get_body finds it (without failing on broken structures)."""
    return next((part for part in tree.leaves if _is_text(part, (kind,))), None)


def _html_text(html: str) -> str:
    """The HTML made readable: the text of links kept, scripts and styles dropped, no trailing spaces."""
    return "\n".join(line.rstrip() for line in get_text(html).split("\n"))


def _continuations(body: Message, tree: _Tree) -> list[Message]:
    """The text/plain parts after `body` in its multipart/mixed: the rest of the text."""
    parent = tree.parents.get(id(body))
    if parent is None or parent.get_content_type() != "multipart/mixed":
        return []
    after = tree.leaves[tree.leaves.index(body) + 1 :]
    return [part for part in after if tree.parents.get(id(part)) is parent and _is_text(part, ("text/plain",))]


def _alternatives(body: Message, tree: _Tree) -> set[int]:
    """The other versions of the body: the text parts under its nearest multipart/alternative."""
    choice = next((part for part in tree.ancestors(body) if part.get_content_type() == "multipart/alternative"), None)
    if choice is None:
        return set()
    return {
        id(part)
        for part in tree.leaves
        if choice in tree.ancestors(part) and _is_text(part, ("text/plain", "text/html"))
    }


def _is_text(part: Message, kinds: tuple[str, ...]) -> bool:
    """Whether `part` is body text of one of `kinds`: not an attachment, and without a filename."""
    return part.get_content_type() in kinds and part.get_content_disposition() != "attachment" and not _filename(part)


def _decoded(part: Message) -> str:
    """The text of a part, in its charset (see the rules), with "\\n" line ends."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = data.decode("utf-8" if charset in ("us-ascii", "ascii") else charset, "replace")
    except (LookupError, ValueError):  # unknown, or not a text encoding (such as "zlib")
        text = data.decode("utf-8", "replace")
    return _clean(_NEWLINES.sub("\n", text))


def _clean(text: str) -> str:
    """`text` without lone surrogates (which some decoders, such as UTF-7's, let through): U+FFFD instead."""
    return _SURROGATES.sub("\ufffd", text)


# -- the reply -----------------------------------------------------------------------------------------------


def _reply(text: str, subject: str) -> str:
    """The new part of `text` (see the rules); `text` itself when it is a forward or nothing would be left."""
    whole = text.strip()
    if _FORWARD_SUBJECT.match(subject):
        return whole
    head, long_lines = _without_long_lines(text[:REPLY_SCAN])
    found = ReplyReader(text=head, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True).read().replies
    if (len(text) > REPLY_SCAN and len(found) < 2) or _FORWARD_LINE.search(found[0].content):
        return whole
    reply = found[0].body
    for mark, line in long_lines.items():
        reply = reply.replace(mark, line)
    return reply or whole


def _without_long_lines(text: str) -> tuple[str, dict[str, str]]:
    """`text` with each line over LONG_LINE characters replaced by a mark, and the (stripped) lines by mark."""
    lines = text.split("\n")
    marker = _absent_character(text)
    long_lines: dict[str, str] = {}
    for index, line in enumerate(lines):
        if len(line) > LONG_LINE:
            mark = f"{marker}{len(long_lines)}{marker}"
            long_lines[mark] = line.strip()
            lines[index] = mark
    return "\n".join(lines), long_lines


def _absent_character(text: str) -> str:
    """A private-use character that `text` does not contain, to mark the long lines left out of the search."""
    return next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)


# -- files ---------------------------------------------------------------------------------------------------


def _files(tree: _Tree, body: frozenset[int]) -> tuple[MailFile, ...]:
    files: list[MailFile] = []
    for part in tree.leaves:
        if id(part) in body:
            continue
        name, content = _filename(part), _content(part)
        if not name and not content:  # an empty part: nothing to keep
            continue
        disposition = part.get_content_disposition()
        inline = disposition == "inline" or (disposition is None and bool(raw_values(part, "Content-ID")))
        files.append(MailFile(name or _made_name(part, inline, len(files) + 1), content, inline))
    return tuple(files)


def _filename(part: Message) -> str:
    """The name the sender gave the part (Content-Disposition's filename, else Content-Type's name), decoded and
    as given; "" when none. (get_filename would strip it, and unquote a name such as "<1>".)"""
    for header, parameter in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        values = raw_values(part, header)
        name = getattr(_header(header, values[0]), "params", {}).get(parameter) if values else None
        if isinstance(name, str) and name.strip():
            return _clean(name)
    return ""


def _made_name(part: Message, inline: bool, position: int) -> str:
    extension = _TYPES.guess_extension(part.get_content_type()) or ""
    return f"{'inline' if inline else 'attachment'}-{position}{extension}"


def _content(part: Message) -> bytes:
    """The bytes of a part, decoded from its transfer encoding; an attached message serialised."""
    if not part.is_multipart():
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else b""
    data = b"".join(_serialised(inner) for inner in part.get_payload() if isinstance(inner, EmailMessage))
    if next(iter(raw_values(part, "Content-Transfer-Encoding")), "").lower() == "base64":  # not allowed, but seen
        try:
            return binascii.a2b_base64(data)
        except binascii.Error:
            return data
    return data


def _serialised(message: EmailMessage) -> bytes:
    """The message as bytes, its headers as they came; through text when the bytes generator fails (on a
    multipart whose boundary is missing and that holds 8-bit bytes)."""
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=_SERIALISED).flatten(message)
    except UnicodeError:
        return message.as_string(policy=_SERIALISED).encode("utf-8", "surrogateescape")
    return buffer.getvalue()
