"""The attachment store: files kept under one folder, named by the SHA-256 of their content.

Rules:
- A file is stored at `<folder>/<hash[:2]>/<hash>`; the name a requester gave is only ever data (kept,
  sanitised, in the attachment row), never part of a path, so no name can escape the folder.
- Files are read in chunks and refused with AttachmentTooLargeError as soon as they pass `max_bytes`; the
  partial file is removed. A stored file is written to a temporary file in the folder, synced, then renamed
  into place, so a crash never leaves a half-written file under its hash. Identical content is stored once.
- The content type is detected from the bytes (the `filetype` library), never taken from the name or sender:
  a recognised signature gives its MIME type, valid UTF-8 text gives text/plain, anything else
  application/octet-stream. Two kinds `filetype` does not know are recognised first: Mach-O programs
  (application/x-mach-binary) and shell scripts, by their `#!` line (application/x-sh). Windows PE programs are
  application/x-msdownload and ELF programs application/x-executable, as `filetype` names them.
- A store may refuse types (`blocked_types`: MIME types, or patterns such as `application/*`): the type is
  checked as soon as the first bytes are read, and a refused file raises AttachmentTypeBlockedError before
  anything is kept under its hash (the partial file is removed, and the rest is not read).
"""

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from storage.errors import AttachmentTooLargeError, AttachmentTypeBlockedError, InvalidValueError

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
CHUNK = 1024 * 1024
SNIFF = 8192
MAX_NAME_BYTES = 255
_MACH_O = frozenset({b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"})
_MACH_O_FAT = b"\xca\xfe\xba\xbe"  # also Java's class files, told apart by the next word (see _program_type)
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "csh", "tcsh", "fish"})


@dataclass(frozen=True)
class StoredFile:
    name: str  # sanitised display name
    size: int
    content_type: str
    sha256: str
    stored_path: str  # relative to the store's folder, with "/" separators


def safe_name(name: str) -> str:
    """A display name without folders, control characters or leading dots, at most 255 UTF-8 bytes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip().lstrip(".").strip()
    encoded = cleaned.encode("utf-8")[:MAX_NAME_BYTES]
    cleaned = encoded.decode("utf-8", errors="ignore").strip()
    return cleaned or "attachment"


def detect_content_type(head: bytes) -> str:
    """The MIME type that the first bytes of a file show."""
    program = _program_type(head)
    if program is not None:
        return program
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not just a character cut at the end of the sample
            return "application/octet-stream"
    return "text/plain" if head else "application/octet-stream"


def _program_type(head: bytes) -> str | None:
    """application/x-mach-binary or application/x-sh for what `filetype` does not recognise, else None."""
    if head[:4] in _MACH_O or (head[:4] == _MACH_O_FAT and 0 < int.from_bytes(head[4:8], "big") < 45):
        return "application/x-mach-binary"  # a fat binary counts its architectures; a class file's version is >= 45
    if head.startswith(b"#!"):
        words = [word.rsplit("/", 1)[-1] for word in head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()]
        if words[:1] == ["env"]:
            words = [word for word in words[1:] if not word.startswith("-")]
        if words[:1] and words[0] in _SHELLS:
            return "application/x-sh"
    return None


def type_matches(content_type: str, patterns: tuple[str, ...]) -> bool:
    """Whether `content_type` is one of `patterns` (MIME types, or `type/*` for a whole top-level type)."""
    kind = content_type.lower()
    return any(kind == pattern or (pattern.endswith("/*") and kind.startswith(pattern[:-1])) for pattern in patterns)


class AttachmentStore:
    """Saves and opens attachment files under `folder`, refusing those over `max_bytes` or of `blocked_types`."""

    def __init__(
        self, folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, blocked_types: tuple[str, ...] = ()
    ) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.blocked_types = tuple(pattern.lower() for pattern in blocked_types)

    def save(self, content: bytes | BinaryIO, name: str) -> StoredFile:
        """Stores `content` (bytes or a binary file) and describes it; AttachmentTooLargeError past the cap,
        AttachmentTypeBlockedError for a blocked type."""
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        content_type: str | None = None
        descriptor, temporary = tempfile.mkstemp(prefix=".incoming-", dir=self.folder)
        try:
            with os.fdopen(descriptor, "wb") as output:
                for chunk in _chunks(content):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise AttachmentTooLargeError(size, self.max_bytes)
                    if len(head) < SNIFF:
                        head += chunk[: SNIFF - len(head)]
                    if content_type is None and len(head) >= SNIFF:
                        content_type = self._allowed(head)
                    digest.update(chunk)
                    output.write(chunk)
                content_type = content_type or self._allowed(head)
                output.flush()
                os.fsync(output.fileno())
            sha256 = digest.hexdigest()
            relative = f"{sha256[:2]}/{sha256}"
            final = self.folder / sha256[:2] / sha256
            final.parent.mkdir(exist_ok=True)
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredFile(safe_name(name), size, content_type, sha256, relative)

    def _allowed(self, head: bytes) -> str:
        """The type the first bytes show; AttachmentTypeBlockedError when the store refuses it."""
        content_type = detect_content_type(head)
        if type_matches(content_type, self.blocked_types):
            raise AttachmentTypeBlockedError(content_type)
        return content_type

    def path_of(self, stored_path: str) -> Path:
        """The file of a stored path; InvalidValueError for anything that is not `<2 hex>/<64 hex>`."""
        prefix, _, sha256 = stored_path.partition("/")
        if not (_is_hex(sha256, 64) and prefix == sha256[:2]):
            raise InvalidValueError(f"{stored_path!r} is not a stored attachment path")
        return self.folder / prefix / sha256

    def open(self, stored_path: str) -> BinaryIO:
        return self.path_of(stored_path).open("rb")


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(char in "0123456789abcdef" for char in text)


def _chunks(content: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
        return
    while chunk := content.read(CHUNK):
        yield chunk
