"""Property tests of email reading: any bytes are read or refused without an error, messages that a mail library
writes read back as written, and an SR number in a subject is always found."""

from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.email.parse import MailFile, ParsedEmail, Unparseable, parse_email, sr_numbers

CORPUS = tuple(path.read_bytes() for path in sorted((Path(__file__).parent / "corpus").glob("*.eml")))
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# characters a person may type in a subject, a name or a text, by the charsets that can hold them
LATIN_1 = st.characters(max_codepoint=0xFF, blacklist_categories=("Cs", "Cc"))
JAPANESE = st.sampled_from("あいうえおカタカナ漢字日本語お問い合わせ。、ー 0123456789abcXYZ")
ANY_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
CHARSETS = {"utf-8": ANY_TEXT, "iso-8859-1": LATIN_1, "shift_jis": JAPANESE}
CONTENT = st.binary(min_size=1, max_size=300)
NOISE = st.sampled_from(
    [b"\r\n", b"\n\n", b": ", b"=?utf-8?q?", b"?=", b"=?x?b?", b"<", b">", b"@", b'"', b"(", b";", b"--", b"\t",
     b"\xff\xfe", b"\xc3", b"\x00", b"Content-Type: multipart/mixed; boundary=x\r\n", b"--x\r\n",
     b"Content-Transfer-Encoding: base64\r\n", b"Content-Type: message/rfc822\r\n", b"charset=zlib"]
)  # fmt: skip


def folded(text: str) -> str:
    return " ".join(text.split())


def check(result: ParsedEmail | Unparseable) -> None:
    assert isinstance(result, ParsedEmail | Unparseable)
    if isinstance(result, Unparseable):
        assert result.reason.strip()
        assert "\n" not in result.reason
    else:
        assert "\n" not in result.subject
        assert result.date is None or result.date.utcoffset() is not None
        names = [file.name for file in result.files]
        for text in (result.subject, result.text, result.reply, result.sender_name or "", *names):
            text.encode("utf-8")  # storable: no lone surrogates


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused_never_an_error(raw: bytes) -> None:
    check(parse_email(raw))


@FUZZ
@given(st.sampled_from(CORPUS), st.lists(st.tuples(st.floats(0, 1), NOISE | st.binary(max_size=8)), max_size=12))
def test_damaged_real_messages_are_read_or_refused_never_an_error(
    raw: bytes, damage: list[tuple[float, bytes]]
) -> None:
    data = bytearray(raw)
    for where, noise in damage:
        data[int(where * len(data)) :] = noise + data[int(where * len(data)) + len(noise) // 2 :]
    check(parse_email(bytes(data), authserv_id="mx.desk.example"))


@st.composite
def messages(draw: st.DrawFn) -> tuple[EmailMessage, str, str, str, tuple[MailFile, ...]]:
    charset = draw(st.sampled_from(sorted(CHARSETS)))
    subject = draw(st.text(ANY_TEXT, max_size=120))
    name = draw(st.text(ANY_TEXT, max_size=40))
    body = draw(st.text(CHARSETS[charset] | st.sampled_from("\n\t "), min_size=1, max_size=400))
    attached = draw(st.lists(st.tuples(st.text(ANY_TEXT, min_size=1, max_size=60), CONTENT), max_size=2))
    files = tuple(MailFile(filename, content, inline=False) for filename, content in attached if filename.strip())
    message = EmailMessage()
    message["From"] = Address(display_name=name, addr_spec="anna@customer.example")
    message["To"] = "support@desk.example"
    message["Subject"] = subject
    message.set_content(body, charset=charset)
    for file in files:
        message.add_attachment(file.content, maintype="application", subtype="octet-stream", filename=file.name)
    return message, subject, name, body, files


@FUZZ
@given(messages())
def test_a_written_message_reads_back_as_written(
    written: tuple[EmailMessage, str, str, str, tuple[MailFile, ...]],
) -> None:
    message, subject, name, body, files = written

    email = parse_email(message.as_bytes())

    assert isinstance(email, ParsedEmail)
    assert email.subject == folded(subject)
    assert email.sender == "anna@customer.example"
    # the standard library's writer loses a space where it splits a long name into encoded words
    assert "".join((email.sender_name or "").split()) == "".join(name.split())
    assert folded(email.text) == folded(body)
    assert [(folded(file.name), file.content, file.inline) for file in email.files] == [
        (folded(file.name), file.content, False) for file in files
    ]  # the standard library strips a filename


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=80),
    st.integers(min_value=1, max_value=999_999_999),
    st.sampled_from(["SR-{:06d}", "[SR-{}]", "sr-{}", "Sr-{:09d}"]),
    st.text(max_size=80),
)
def test_an_sr_number_in_any_text_is_found(before: str, number: int, shape: str, after: str) -> None:
    assert number in sr_numbers(f"{before} {shape.format(number)} {after}")
