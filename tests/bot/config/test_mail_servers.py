"""The SMTP variables: every bad one reported at once, and SMTP variables without FRONTDESK_SMTP_HOST."""

import pytest

from bot.config.mail_servers import CLEARTEXT_REFUSED, EmailSettingsError, SmtpSettings


def test_every_bad_smtp_variable_is_reported_at_once() -> None:
    environ = {"FRONTDESK_SMTP_HOST": "smtp.example.com", "FRONTDESK_SMTP_TLS": "plain", "FRONTDESK_SMTP_PORT": "0"}
    with pytest.raises(EmailSettingsError) as raised:
        SmtpSettings.from_environment(environ)
    assert raised.value.problems == [
        "FRONTDESK_SMTP_TLS must be one of: starttls, ssl, none",
        "FRONTDESK_SMTP_PORT must be a port number (1-65535)",
    ]


def test_a_cleartext_login_is_reported_with_a_bad_port() -> None:
    environ = {"FRONTDESK_SMTP_HOST": "relay", "FRONTDESK_SMTP_TLS": "none", "FRONTDESK_SMTP_PORT": "x",
               "FRONTDESK_SMTP_USER": "desk", "FRONTDESK_SMTP_PASSWORD": "secret-7"}  # fmt: skip
    with pytest.raises(EmailSettingsError) as raised:
        SmtpSettings.from_environment(environ)
    assert raised.value.problems == ["FRONTDESK_SMTP_PORT must be a port number (1-65535)", CLEARTEXT_REFUSED]
    assert "secret-7" not in str(raised.value)


def test_smtp_variables_without_a_host_are_a_host_forgotten() -> None:
    with pytest.raises(EmailSettingsError) as raised:
        SmtpSettings.from_environment({"FRONTDESK_SMTP_USER": "desk", "FRONTDESK_SMTP_PASSWORD": "secret-7"})
    assert raised.value.problems == [
        "FRONTDESK_SMTP_USER, FRONTDESK_SMTP_PASSWORD set without FRONTDESK_SMTP_HOST (the SMTP server to send through)"
    ]


def test_no_smtp_variable_is_no_smtp_server() -> None:
    assert SmtpSettings.from_environment({}) is None
