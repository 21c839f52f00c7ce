"""The attachment store: content-addressed files, a size cap, types from the bytes, no way out of the folder."""

import hashlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.attachments import AttachmentStore, detect_content_type, safe_name
from storage.errors import AttachmentTooLargeError, InvalidValueError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


def _files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_file_is_stored_under_its_hash_and_described(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "files")
    stored = store.save(PNG, "screenshot.png")
    sha256 = hashlib.sha256(PNG).hexdigest()
    assert stored.sha256 == sha256
    assert stored.stored_path == f"{sha256[:2]}/{sha256}"
    assert (stored.name, stored.size, stored.content_type) == ("screenshot.png", len(PNG), "image/png")
    assert store.path_of(stored.stored_path).read_bytes() == PNG
    with store.open(stored.stored_path) as file:
        assert file.read() == PNG


def test_identical_content_is_stored_once(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    first, second = store.save(PDF, "a.pdf"), store.save(io.BytesIO(PDF), "b.pdf")
    assert first.stored_path == second.stored_path
    assert (first.name, second.name) == ("a.pdf", "b.pdf")
    assert len(_files_under(tmp_path)) == 1


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (b"PK\x03\x04" + b"\x00" * 40, "application/zip"),
        ("Journal: erreur à 09:00\n".encode(), "text/plain"),
        (b"\x00\x01\x02\xff\xfe" * 10, "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_the_content_type_comes_from_the_bytes(head: bytes, content_type: str) -> None:
    assert detect_content_type(head) == content_type


def test_a_png_named_like_text_is_still_a_png(tmp_path: Path) -> None:
    assert AttachmentStore(tmp_path).save(PNG, "notes.txt").content_type == "image/png"


def test_a_file_over_the_cap_is_refused_naming_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, max_bytes=2 * 1024 * 1024)
    too_big = io.BytesIO(b"x" * (3 * 1024 * 1024))
    with pytest.raises(AttachmentTooLargeError, match=r"larger than the limit of 2 MiB") as raised:
        store.save(too_big, "huge.log")
    assert raised.value.limit == 2 * 1024 * 1024
    assert _files_under(tmp_path) == []
    assert store.save(b"x" * (2 * 1024 * 1024), "just.log").size == 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("given_name", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("..", "attachment"),
        (".bashrc", "bashrc"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("", "attachment"),
        ("é" * 200, "é" * 127),
    ],
)
def test_names_are_kept_without_folders_or_control_characters(given_name: str, kept: str) -> None:
    assert safe_name(given_name) == kept


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fsyncs
@given(name=st.text(max_size=300), content=st.binary(max_size=64))
def test_no_name_can_put_a_file_outside_the_folder(tmp_path: Path, name: str, content: bytes) -> None:
    folder = tmp_path / "files"
    store = AttachmentStore(folder)
    stored = store.save(content, name)
    kept = stored.name
    assert kept
    assert "/" not in kept
    assert "\\" not in kept
    assert not kept.startswith(".")
    assert len(kept.encode()) <= 255
    assert store.path_of(stored.stored_path).resolve().is_relative_to(folder.resolve())
    for path in _files_under(tmp_path):
        assert path.resolve().is_relative_to(folder.resolve())


@given(st.text(max_size=120))
def test_only_paths_the_store_made_can_be_opened(stored_path: str) -> None:
    store = AttachmentStore(Path("/srv/files"))
    try:
        path = store.path_of(stored_path)
    except InvalidValueError:
        return
    assert path.parent.parent == Path("/srv/files")
    assert os.path.normpath(path) == str(path)


@pytest.mark.parametrize(
    "stored_path", ["../x", "ab/../../etc/passwd", "00/" + "0" * 63, "/etc/passwd", "ab/" + "a" * 64]
)
def test_a_forged_stored_path_is_refused(stored_path: str) -> None:
    with pytest.raises(InvalidValueError, match="not a stored attachment path"):
        AttachmentStore(Path("/srv/files")).path_of(stored_path)
