"""Reading received emails: one test per message of the corpus (tests/bot/email/corpus/README.md), asserting what
the desk shows of it, then the edge cases built in memory and the SR numbers of subjects."""

import base64
import hashlib
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.email.parse import REPLY_SCAN, MailFile, ParsedEmail, Unparseable, parse_email, sr_numbers

CORPUS = Path(__file__).parent / "corpus"
OUR_SERVER = "mx.desk.example"


def raw(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def parsed(name: str, authserv_id: str | None = OUR_SERVER) -> ParsedEmail:
    result = parse_email(raw(name), authserv_id=authserv_id)
    assert isinstance(result, ParsedEmail), result
    return result


def described(file: MailFile) -> tuple[str, int, str, bool]:
    return file.name, len(file.content), hashlib.sha256(file.content).hexdigest(), file.inline


def parse_built(message: EmailMessage) -> ParsedEmail:
    result = parse_email(message.as_bytes())
    assert isinstance(result, ParsedEmail), result
    return result


def built(body: str = "Hello\n", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Anna Smith <anna@customer.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "Help"
    for name, value in headers.items():
        del message[name.replace("_", "-")]
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


# -- the corpus ------------------------------------------------------------------------------------------------


def test_every_corpus_message_is_described_once_in_its_readme() -> None:
    readme = (CORPUS / "README.md").read_text()
    names = sorted(path.name for path in CORPUS.glob("*.eml"))
    assert len(names) >= 18
    assert [name for name in names if readme.count(f"`{name}`") != 1] == []


def test_a_new_request_in_text_and_html_is_read_from_its_plain_text() -> None:
    email = parsed("alternative.eml")

    assert email.message_id == "<5c2e8f0a-1b7d-4c1e-9a3f-7d2b1e0c9f11@customer.example>"
    assert (email.in_reply_to, email.references) == ((), ())
    assert (email.sender, email.sender_name) == ("anna.smith@customer.example", "Anna Smith")
    assert email.to == ("support@desk.example", "bernd@customer.example")
    assert email.subject == "Export to CSV fails with error 500"
    assert email.date == datetime(2025, 3, 3, 8, 12, 37, tzinfo=UTC)
    assert email.reply == (
        'Hello,\n\nsince this morning the export to CSV fails with "Error 500" for every\nreport. Steps:\n'
        "- open Reports > Monthly\n- click Export > CSV\n\nIt worked on Friday.\n\nAnna"
    )
    assert email.text == email.reply + "\n"
    assert email.files == ()  # the HTML version is the same text, not a file
    assert (email.automated, email.auth_failure, email.frontdesk_key) == (None, None, None)


def test_html_only_mail_is_made_readable_without_its_style_and_script() -> None:
    email = parsed("html_only.eml")

    assert email.sender == "no-reply@forms.customer.example"
    assert email.reply_to == "carla@customer.example"
    assert email.subject == 'New contact form submission: "Cannot reset password"'
    assert "Name   Carla Diaz\nEmail  carla@customer.example" in email.text
    assert 'a page that says "token expired", even when I click it right away. See our internal note.' in email.text
    assert "font-family" not in email.text
    assert "track" not in email.text
    assert "https://" not in email.text  # the link's text is kept, not its address
    assert email.reply == email.text.strip()
    assert email.files == ()


def test_an_iso_8859_1_body_and_encoded_subject_are_decoded() -> None:
    email = parsed("latin1.eml")

    assert email.subject == "Anmeldung schlägt fehl (Grüße aus Köln)"
    assert (email.sender, email.sender_name) == ("joerg.mueller@kunde.example", "Jörg Müller")
    assert email.reply == (
        'Guten Tag,\n\nseit dem Update schlägt die Anmeldung fehl: "Passwort ungültig".\n'
        "Ich habe es dreimal geprüft, die Großbuchstaben stimmen.\n\nJörg Müller"
    )


def test_a_shift_jis_message_is_decoded() -> None:
    email = parsed("shift_jis.eml")

    assert email.subject == "ログインできません"
    assert email.sender_name == "山田太郎"
    assert email.text == "お世話になっております。\n今朝からログインできません。\nよろしくお願いいたします。\n"
    assert email.date == datetime(2025, 3, 6, 1, 10, 10, tzinfo=UTC)


def test_a_base64_body_is_decoded() -> None:
    email = parsed("base64_body.eml")

    assert email.subject == "Rapport mensuel vide 😕"
    assert email.reply == "Bonjour,\n\nle rapport mensuel de février est vide 😕 alors que les données sont là.\n\nMarc"
    assert email.date == datetime(2025, 3, 7, 21, 45, 2, tzinfo=UTC)


def test_a_quoted_printable_body_is_decoded_with_its_soft_line_breaks_joined() -> None:
    email = parsed("quoted_printable.eml")

    assert (email.sender, email.sender_name) == ("bernd@customer.example", "Weber, Bernd")
    assert email.text == (
        "Hello,\n\nthe invoice PDF for March shows 19 % VAT, but our contract says 7 % (reduced rate, see clause 4.2"
        " of the framework agreement signed in January).\nCould you correct it and send a new invoice? Kosten:"
        " 1.234,56 €\n\nBernd Weber\n"
    )


def test_an_inline_forward_is_kept_whole() -> None:
    email = parsed("forward_inline.eml")

    assert email.subject == "Fwd: Your export failed"
    assert email.reply.startswith("Hi, this is what our reporting robot sent us this morning. Can you have a look?")
    assert "---------- Forwarded message ---------\nFrom: Reports <reports@app.desk.example>" in email.reply
    assert email.reply.endswith('Export "Monthly revenue" failed at 06:00 UTC: timeout after 300 s.\nJob id: 7f3c-22aa')
    assert email.files == ()


def test_a_message_forwarded_as_attachment_is_one_eml_file_with_its_own_attachment_inside() -> None:
    message = raw("forward_attached.eml")
    email = parsed("forward_attached.eml")

    assert email.reply == "The vendor invoice we talked about, forwarded as attachment."
    [forwarded] = email.files
    original = message.split(b'filename="Invoice 2025-03-0042.eml"\r\n\r\n')[1].split(b"\r\n--------------fwd")[0]
    assert forwarded.name == "Invoice 2025-03-0042.eml"
    assert forwarded.content == original  # the bytes as they were sent
    assert described(forwarded) == (
        "Invoice 2025-03-0042.eml",
        608,
        "edb683d776e59f4ca80a08aaa05c8bb1561fd40312526ae9b0326f8c21362251",
        False,
    )
    inner = parse_email(forwarded.content)
    assert isinstance(inner, ParsedEmail)
    assert (inner.sender, inner.subject) == ("billing@vendor.example", "Invoice 2025-03-0042")
    assert inner.files == (MailFile("invoice-lines.csv", b"item,amount\r\nLicence,1200.00\r\n", inline=False),)


def test_an_outlook_reply_names_its_request_and_threads_under_our_message() -> None:
    email = parsed("outlook_reply.eml")

    assert email.subject == "RE: [SR-000012] Export to CSV fails"
    assert sr_numbers(email.subject) == (12,)
    assert email.in_reply_to == ("<8a1f0c3e9b2d4e5f8a1f0c3e9b2d4e5f@desk.example>",)
    assert email.references == (
        "<2b6e1d0c4f3a4b5c9d8e7f6a5b4c3d2e@desk.example>",
        "<8a1f0c3e9b2d4e5f8a1f0c3e9b2d4e5f@desk.example>",
    )
    assert email.reply == "The export works again, thank you!"  # no signature, no history
    assert "Sent: Monday, March 10, 2025 4:02 PM" in email.text
    assert email.files == ()


def test_a_gmail_reply_loses_its_quotes_and_signature() -> None:
    email = parsed("gmail_reply.eml")

    assert sr_numbers(email.subject) == (7,)
    assert email.in_reply_to == email.references == ("<c41d2a7b90e14f3c8d5a6b7c8d9e0f1a@desk.example>",)
    assert email.reply == (
        "It happens with every PNG over 2 MB, smaller ones are fine.\n"
        "I attached nothing because the files are confidential, sorry."
    )
    assert "> does it happen with every image" in email.text


def test_an_out_of_office_reply_is_automated() -> None:
    email = parsed("out_of_office.eml")

    assert email.automated == "Auto-Submitted: auto-replied"
    assert sr_numbers(email.subject) == (12,)
    assert email.in_reply_to == ("<8a1f0c3e9b2d4e5f8a1f0c3e9b2d4e5f@desk.example>",)


def test_a_newsletter_is_automated_by_its_precedence() -> None:
    email = parsed("newsletter.eml")

    assert email.automated == "Precedence: bulk"
    assert email.text == "March product update\n\nFive new features are waiting for you.\n\nUnsubscribe\n"


def test_a_bounce_is_automated_and_its_reports_are_files() -> None:
    email = parsed("bounce.eml")

    assert email.automated == "bounce: multipart/report (delivery-status)"
    assert email.sender == "mailer-daemon@mx.customer.example"
    assert "<old.employee@customer.example>\n    (reason: 550 5.1.1 User unknown)" in email.text
    status, headers = email.files
    assert status.name == "attachment-1"
    assert status.content.startswith(b"Reporting-MTA: dns; mx.customer.example\r\n")
    assert b"Final-Recipient: RFC822; old.employee@customer.example\r\nAction: failed\r\n" in status.content
    assert headers.name == "attachment-2"
    assert b"X-Frontdesk-Key: email:SR-000012:reply:3\r\n" in headers.content


def test_an_inline_image_and_a_pdf_attachment_are_files_with_their_exact_bytes() -> None:
    email = parsed("inline_image_and_pdf.eml")

    assert email.reply == (
        "The dashboard shows a total of 0 although there are 12 orders:\n\n[screenshot]\n\n"
        "The invoice it should match is attached."
    )
    assert [described(file) for file in email.files] == [
        (
            "Screenshot 2025-03-14 at 09.58.12.png",
            73,
            "55262e823ae8050468a869d55ab8c93f532cbfead2a480ded98324940df0f697",
            True,
        ),
        ("Rechnung März 2025.pdf", 193, "cef3b030a93763cb836367821d6d398a276b6844b783f9e1b8f8bfca4d22e637", False),
    ]
    assert email.files[0].content.startswith(b"\x89PNG\r\n\x1a\n")
    assert email.files[1].content.startswith(b"%PDF-1.4\n")


def test_malformed_headers_are_read_as_far_as_they_go() -> None:
    email = parsed("malformed_headers.eml")

    assert (email.sender, email.sender_name) == ("scanner3@customer.example", "Scanner Room 3")
    assert email.subject == "Druckauftrag hängt =?utf-8?B?broken-base64 and caf\ufffd"
    assert email.date is None  # 25:61 in zone +9999
    assert email.message_id == "<scan-0001@printer.customer.example>"  # after the line without a colon
    assert email.reply == "The print queue on floor 3 is stuck since yesterday, job 1234 cannot be deleted."


def test_a_spoofed_sender_is_caught_by_our_servers_verdict_only() -> None:
    email = parsed("spoofed.eml")

    assert (email.sender, email.reply_to) == ("anna@customer.example", "anna.smith.finance@evil.example")
    assert sr_numbers(email.subject) == (42,)
    assert email.auth_failure == "dmarc=fail"
    assert "IBAN XX00" in email.reply
    assert parsed("spoofed.eml", authserv_id=None).auth_failure == "dmarc=fail"  # every header read: still fails
    assert parsed("spoofed.eml", authserv_id="mx.customer.example").auth_failure is None  # the sender's own


def test_binary_garbage_is_unparseable() -> None:
    assert parse_email(raw("not_a_message.eml")) == Unparseable("not an email: no header lines")


def test_our_own_message_come_back_carries_its_key() -> None:
    email = parsed("our_own.eml")

    assert email.frontdesk_key == "email:SR-000012:reply:2"
    assert email.sender == "support@desk.example"
    assert email.automated is None


@pytest.mark.parametrize(
    ("name", "reply", "history"),
    [
        ("reply_de.eml", "Danke, die Anmeldung funktioniert wieder.", "Gesendet: Freitag, 14. März 2025 17:00"),
        ("reply_fr.eml", "Le rapport est de nouveau complet, merci beaucoup.", "> pouvez-vous vérifier le rapport ?"),
        ("reply_es.eml", "Ya funciona, el enlace nuevo sirvió.", "> le enviamos un enlace nuevo."),
    ],
)
def test_replies_in_german_french_and_spanish_lose_their_history_and_signature(
    name: str, reply: str, history: str
) -> None:
    email = parsed(name)

    assert email.reply == reply
    assert history in email.text


def test_plain_text_split_around_an_inline_image_is_one_text() -> None:
    email = parsed("apple_split_text.eml")

    assert email.text == "The upload button is greyed out:\n\nIt stays like that after a reload."
    assert [described(file) for file in email.files] == [
        ("button.png", 71, "d01c8bef921cdf53e3d3311e97d72e4758332879552d781caeff485de2b7199d", True)
    ]


# -- built in memory -------------------------------------------------------------------------------------------


def test_a_30_mb_attachment_is_read_whole() -> None:
    content = bytes(range(256)) * (30 * 4096)  # 30 MiB
    message = built("The logs.\n")
    message.add_attachment(content, maintype="application", subtype="zip", filename="logs.zip")

    email = parse_built(message)

    [file] = email.files
    assert file.name == "logs.zip"
    assert len(file.content) == 30 * 1024 * 1024
    assert file.content == content
    assert email.reply == "The logs."


def test_files_without_a_name_are_named_by_position_and_type() -> None:
    message = built()
    message.add_attachment(b"\x89PNG\r\n\x1a\nrest", maintype="image", subtype="png", disposition="inline", cid="<i>")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf")
    message.add_attachment(b"data", maintype="application", subtype="x-frontdesk-unknown")

    names = [(file.name, file.inline) for file in parse_built(message).files]

    assert names == [("inline-1.png", True), ("attachment-2.pdf", False), ("attachment-3", False)]


@pytest.mark.parametrize(
    "name", ["..\\logs/März 2025.txt", "<1>", " spaced  out .txt", "日本語の長いファイル名" * 8 + ".txt"]
)
def test_a_filename_is_kept_as_given_and_decoded_from_rfc_2231(name: str) -> None:
    message = built()
    message.add_attachment(b"x", maintype="text", subtype="plain", filename=name)

    assert parse_built(message).files == (MailFile(name, b"x", inline=False),)


def test_a_raw_utf_8_filename_and_a_content_type_name_are_read() -> None:
    email = parse_email(
        "From: anna@customer.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nSee files.\n"
        '--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="Größe.pdf"\n\n%PDF\n'
        '--b\nContent-Type: application/pdf; name="Übersicht.pdf"\n\n%PDF\n--b--\n'.encode()
    )

    assert isinstance(email, ParsedEmail)
    assert [file.name for file in email.files] == ["Größe.pdf", "Übersicht.pdf"]


def test_an_attached_message_in_base64_is_decoded() -> None:
    inner = b"From: billing@vendor.example\r\nSubject: Invoice\r\n\r\nPay us.\r\n"
    text = (
        b"From: anna@customer.example\r\nSubject: Fwd: Invoice\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n--b\r\nContent-Type: message/rfc822\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(inner) + b"--b--\r\n"
    )

    email = parse_email(text)

    assert isinstance(email, ParsedEmail)
    assert email.files == (MailFile("attachment-1.eml", inner, inline=False),)


def test_a_blank_plain_text_alternative_gives_way_to_the_html() -> None:
    message = built(" \n")
    message.add_alternative("<p>The real text</p>", subtype="html")

    email = parse_built(message)

    assert email.text == "The real text\n"
    assert email.files == ()


def test_a_text_file_shown_inline_is_not_taken_for_the_body() -> None:
    message = EmailMessage()
    message["From"] = "anna@customer.example"
    message.set_content("<p>See the log.</p>", subtype="html")
    message.add_attachment("error 42\n", filename="log.txt", disposition="inline")

    email = parse_built(message)

    assert email.text == "See the log.\n"
    assert email.files == (MailFile("log.txt", b"error 42\n", inline=True),)


@pytest.mark.parametrize("charset", [b"x-unknown", b"zlib", b"us-ascii"])
def test_a_charset_python_does_not_know_or_that_lies_is_read_as_utf_8(charset: bytes) -> None:
    email = parse_email(
        b"From: anna@customer.example\nContent-Type: text/plain; charset=" + charset + b"\n\nCaf\xc3\xa9 \xff\n"
    )

    assert isinstance(email, ParsedEmail)
    assert email.text == "Café \ufffd\n"


def test_a_date_without_zone_is_utc_and_an_offset_is_converted() -> None:
    assert parse_built(built(Date="Mon, 3 Mar 2025 09:12:00 -0000")).date == datetime(2025, 3, 3, 9, 12, tzinfo=UTC)
    assert parse_built(built(Date="Mon, 3 Mar 2025 09:12:00 -0500")).date == datetime(2025, 3, 3, 14, 12, tzinfo=UTC)


def test_threading_ids_are_every_bracketed_id_once_in_order() -> None:
    email = parse_email(
        b"From: anna@customer.example\r\nMessage-ID: <a@x.example> (comment)\r\n"
        b"In-Reply-To: <b@x.example> <c@x.example>\r\n"
        b"References: <r1@x.example>\r\n <r2@x.example>\r\n\t<r1@x.example> junk\r\n\r\nHello\r\n"
    )

    assert isinstance(email, ParsedEmail)
    assert email.message_id == "<a@x.example>"
    assert email.in_reply_to == ("<b@x.example>", "<c@x.example>")
    assert email.references == ("<r1@x.example>", "<r2@x.example>")


def test_a_from_that_is_not_an_address_is_none_and_without_a_body_unparseable() -> None:
    email = parse_email(b"From: Anna Smith\nSubject: Hi\n\nHello\n")
    assert isinstance(email, ParsedEmail)
    assert (email.sender, email.sender_name) == (None, None)

    assert parse_email(b"From: <>\nSubject: Hi\n\n \n") == Unparseable("no sender address, and no text or file")
    assert parse_email(b"") == Unparseable("not an email: no header lines")


def test_raw_utf_8_headers_are_read() -> None:
    email = parse_email("From: Jörg Müller <jörg@kunde.example>\nSubject: Grüße\n\nHallo\n".encode())

    assert isinstance(email, ParsedEmail)
    assert (email.sender, email.sender_name, email.subject) == ("jörg@kunde.example", "Jörg Müller", "Grüße")


def test_a_forward_by_its_subject_keeps_the_outlook_history() -> None:
    text = "FYI\n\nFrom: Carl <c@x.example>\nSent: Monday\nTo: Anna\nSubject: Broken\n\nIt is broken.\n"

    assert parse_built(built(text, Subject="WG: Broken")).reply == text.strip()
    assert parse_built(built(text, Subject="Re: Broken")).reply == "FYI"


def test_long_lines_are_kept_in_the_reply_and_do_not_slow_it_down() -> None:
    line = "On " * 10_000  # quadratic for the reply library's "On ... wrote:" pattern
    started = time.monotonic()

    email = parse_built(built(f"{line}\nsecond line\n\nOn Mon, 3 Mar 2025, Acme <a@x.example> wrote:\n> old\n"))

    assert time.monotonic() - started < 5
    assert email.reply == f"{line.strip()}\nsecond line"


def test_a_text_longer_than_the_scan_without_history_in_it_is_its_own_reply() -> None:
    text = "log line\n" * (REPLY_SCAN // 9 + 10) + "\nOn Mon, 3 Mar 2025, Acme <a@x.example> wrote:\n> old\n"

    assert parse_built(built(text)).reply == text.strip()


# -- SR numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "numbers"),
    [
        ("Re: [SR-000123] Export fails", (123,)),
        ("[SR-123] and sr-000124, again SR-123", (123, 124)),
        ("AW: Sr-42: still broken", (42,)),
        ("SR-0 and SR-000000 are not numbers", ()),
        ("SR-1234567890 is too long, SR-123456789 is not", (123_456_789,)),
        ("XSR-12, SR-12a, SR_12, SR 12, SR-", ()),
        ("(SR-7)/SR-8.", (7, 8)),
        ("", ()),
    ],
)
def test_sr_numbers_in_a_subject(subject: str, numbers: tuple[int, ...]) -> None:
    assert sr_numbers(subject) == numbers


@pytest.mark.parametrize("end", [b"", b"\n\nThanks\n"])
def test_text_right_after_the_headers_is_kept_as_the_text(end: bytes) -> None:
    email = parse_email(b"From: anna@customer.example\nSubject: Hi\nHello,\nhttps://x.example/a\nNote: b" + end)

    assert isinstance(email, ParsedEmail)
    assert email.subject == "Hi"
    assert email.text.startswith("Hello,\nhttps://x.example/a\nNote: b")


def test_our_servers_verdict_proves_a_genuine_sender_and_not_a_spoofed_one() -> None:
    assert parsed("alternative.eml").verdict.detail == "dkim=pass header.d=customer.example"  # the first aligned pass
    assert parsed("alternative.eml").verdict.proven
    spoofed = parsed("spoofed.eml").verdict  # its own "pass" below ours is not read
    assert (spoofed.proven, spoofed.detail) == (False, "mx.desk.example says dmarc=fail")
    assert not parsed("alternative.eml", authserv_id=None).verdict.proven
