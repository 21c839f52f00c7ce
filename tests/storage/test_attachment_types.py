"""Blocked file types: detected from the bytes, refused before anything is kept, the download stopped early."""

import io
from pathlib import Path

import pytest

from storage.attachments import CHUNK, AttachmentStore, detect_content_type, type_matches
from storage.errors import AttachmentTypeBlockedError

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
PE = b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00" + bytes(400)
ELF = b"\x7fELF\x02\x01\x01" + bytes(100)
MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(100)
FAT_MACH_O = b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + bytes(100)
JAVA_CLASS = b"\xca\xfe\xba\xbe\x00\x00\x00\x41" + bytes(100)  # version 65
PROGRAMS = ("application/x-msdownload", "application/x-executable", "application/x-mach-binary", "application/x-sh")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PE, "application/x-msdownload"),
        (ELF, "application/x-executable"),
        (MACH_O, "application/x-mach-binary"),
        (b"\xfe\xed\xfa\xce" + bytes(50), "application/x-mach-binary"),
        (FAT_MACH_O, "application/x-mach-binary"),
        (JAVA_CLASS, "application/octet-stream"),
        (b"#!/bin/sh\nrm -rf /tmp/x\n", "application/x-sh"),
        (b"#!/usr/bin/env bash\necho hi\n", "application/x-sh"),
        (b"#!/usr/bin/env -S zsh -f\necho hi\n", "application/x-sh"),
        (b"#!/usr/bin/python3\nprint('hi')\n", "text/plain"),
        (b"# notes\n#!/bin/sh is not on the first line\n", "text/plain"),
        (PNG, "image/png"),
    ],
)
def test_programs_and_shell_scripts_are_recognised_from_their_bytes(content: bytes, expected: str) -> None:
    assert detect_content_type(content) == expected


def test_patterns_match_a_type_or_a_whole_family() -> None:
    assert type_matches("application/x-sh", ("application/x-sh",))
    assert type_matches("video/mp4", ("video/*",))
    assert not type_matches("image/png", ("video/*", "application/x-sh"))
    assert not type_matches("application/x-shockwave-flash", ("application/x-sh",))
    assert not type_matches("videos/x", ("video/*",))


@pytest.mark.parametrize("program", [PE, ELF, MACH_O, b"#!/bin/bash\nexit 0\n"])
def test_a_blocked_file_is_refused_and_nothing_of_it_is_kept(tmp_path: Path, program: bytes) -> None:
    store = AttachmentStore(tmp_path, blocked_types=PROGRAMS)
    with pytest.raises(AttachmentTypeBlockedError) as raised:
        store.save(program, "setup.exe")
    assert raised.value.content_type in PROGRAMS
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_blocked_download_stops_after_the_first_chunk(tmp_path: Path) -> None:
    stream = io.BytesIO(ELF + bytes(5 * CHUNK))
    with pytest.raises(AttachmentTypeBlockedError):
        AttachmentStore(tmp_path, blocked_types=PROGRAMS).save(stream, "tool")
    assert stream.tell() == CHUNK


def test_other_types_are_kept_and_patterns_block_families(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, blocked_types=PROGRAMS)
    assert store.save(PNG, "chart.png").content_type == "image/png"
    with pytest.raises(AttachmentTypeBlockedError, match="image/png, a type that is not accepted"):
        AttachmentStore(tmp_path / "other", blocked_types=("IMAGE/*",)).save(PNG, "chart.png")
