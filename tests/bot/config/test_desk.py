"""The desk config: a valid file loads; every problem is reported on its own line naming file and key."""

from datetime import timedelta

import pytest

from bot.config.desk import DeskConfigError, parse_desk_config

VALID = """
policy = "k0nsult"

[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"
announcements_channel = "C0NEWS0001"

[agents]
users = ["U0AGENT001", "U0AGENT002"]
usergroups = ["S0SUPPORT1"]

[levels.L2]
users = ["U0LEAD0001"]
emails = ["lead@k0nsult.example"]

[levels.L3]
emails = ["boss@k0nsult.example"]

[[customers]]
name = "Acme"
plan = "enterprise"
slack_channels = ["C0ACME0001"]
email_domains = ["Acme.Example"]

[[customers]]
name = "Globex"
plan = "starter"
email_domains = ["globex.example"]

[intake]
remind_after = "2h"
close_after = "2d"
max_attachment_mb = 5
attachments_folder = "attachments"

[[maintenance]]
start = 2026-12-05T22:00:00+01:00
end = 2026-12-06T02:00:00+01:00
title = "Database upgrade"
"""


def parse(text, tmp_path):
    return parse_desk_config(text, source="frontdesk.toml", folder=tmp_path)


def problems_of(text, tmp_path):
    with pytest.raises(DeskConfigError) as raised:
        parse(text, tmp_path)
    return raised.value.problems


def test_a_valid_config_loads(tmp_path):
    config = parse(VALID, tmp_path)
    assert config.policy.name == "k0nsult"
    assert (config.intake_channel, config.agents_channel, config.announcements_channel) == (
        "C0INTAKE01",
        "C0AGENTS01",
        "C0NEWS0001",
    )
    assert config.levels["L2"].emails == ("lead@k0nsult.example",)
    assert config.customer_for_channel("C0ACME0001").plan == "enterprise"
    assert config.customer_for_email("Someone@ACME.example").name == "Acme"
    assert config.customer_for_email("x@unknown.example") is None
    assert config.intake.remind_after == timedelta(hours=2)
    assert config.intake.close_after == timedelta(days=2)
    assert config.intake.max_attachment_bytes == 5 * 1024 * 1024
    assert config.intake.attachments_folder == tmp_path / "attachments"
    assert config.maintenance[0].title == "Database upgrade"


def test_a_policy_file_next_to_the_config(tmp_path):
    (tmp_path / "desk-policy.toml").write_text(
        '[calendars.business]\ntime_zone = "UTC"\nhours = { mon-fri = ["09:00-17:00"] }\n'
        '[[priorities]]\nname = "P1"\n[plans.std.targets.P1]\nresponse = "8h"\n'
    )
    text = VALID.replace('policy = "k0nsult"', 'policy = "desk-policy.toml"').split("[[customers]]")[0]
    assert parse(text, tmp_path).policy.name == "desk-policy"


def test_every_problem_is_reported_once(tmp_path):
    text = (
        VALID.replace('"C0AGENTS01"', '"#support"')
        .replace('plan = "starter"', 'plan = "gold"')
        .replace('close_after = "2d"', 'close_after = "1h"')
        .replace("[levels.L3]", "[levels.L4]")
    )
    assert problems_of(text, tmp_path) == [
        'frontdesk.toml: slack.agents_channel: "#support" is not a channel id such as C0123ABCD '
        "(right-click the channel > Copy link shows it)",
        "frontdesk.toml: levels.L4: levels are L2 and L3 (L1 is [agents])",
        'frontdesk.toml: customers[1].plan: "gold" is not a plan of policy k0nsult (starter, professional, enterprise)',
        "frontdesk.toml: intake.close_after: must be longer than remind_after",
    ]


def test_unknown_keys_and_missing_agents(tmp_path):
    text = VALID.replace("[agents]\n", "[agents]\nuser = 1\n").replace(
        'users = ["U0AGENT001", "U0AGENT002"]\nusergroups = ["S0SUPPORT1"]\n', ""
    )
    assert problems_of("colour = 'blue'\n" + text, tmp_path) == [
        "frontdesk.toml: agents.user: unknown key",
        "frontdesk.toml: colour: unknown key",
        "frontdesk.toml: agents: name at least one agent (users or usergroups)",
    ]


def test_a_domain_belongs_to_one_customer(tmp_path):
    text = VALID.replace('email_domains = ["globex.example"]', 'email_domains = ["acme.example"]')
    assert problems_of(text, tmp_path) == [
        'frontdesk.toml: customers[1]: "acme.example" already belongs to customer Acme'
    ]


def test_maintenance_needs_offsets_and_order(tmp_path):
    text = VALID.replace("end = 2026-12-06T02:00:00+01:00", "end = 2026-12-05T21:00:00+01:00")
    assert problems_of(text, tmp_path) == ["frontdesk.toml: maintenance[0].end: ends before it starts"]
    naive = VALID.replace("start = 2026-12-05T22:00:00+01:00", "start = 2026-12-05T22:00:00")
    assert problems_of(naive, tmp_path) == [
        "frontdesk.toml: maintenance[0]: start and end need a UTC offset, e.g. 2026-12-05T22:00:00+01:00"
    ]


def test_invalid_toml_and_unknown_policy(tmp_path):
    assert problems_of("policy = ", tmp_path)[0].startswith("frontdesk.toml: is not valid TOML")
    problems = problems_of(VALID.replace('"k0nsult"', '"acme"'), tmp_path)
    assert problems[0] == (
        'frontdesk.toml: policy: "acme" is neither a preset (k0nsult, kissflow, kiwi, livepro, owkin) nor a policy file'
    )


def test_the_digest_threshold_is_read_and_checked(tmp_path):
    base = 'policy = "owkin"\n[slack]\nintake_channel = "C0SUPPORT1"\nagents_channel = "C0AGENTS01"\n'
    base += '[agents]\nusers = ["U0BOB00001"]\n'
    assert parse_desk_config(base, source="f.toml", folder=tmp_path).digest_over == 5
    assert (
        parse_desk_config(base + "[reminders]\ndigest_over = 20\n", source="f.toml", folder=tmp_path).digest_over == 20
    )
    with pytest.raises(DeskConfigError) as refused:
        parse_desk_config(base + "[reminders]\ndigest_over = -1\n", source="f.toml", folder=tmp_path)
    assert refused.value.problems == ["f.toml: reminders.digest_over: must be 0 or more"]


EMAIL = """
[email]
address = "support@k0nsult.example"
notify = ["confirmation", "updates"]
[[email.mailboxes]]
name = "support"
host = "imap.k0nsult.example"
user = "support"
password_env = "DESK_TEST_IMAP_PASSWORD"
"""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("support@k0nsult.example", "support at k0nsult"), 'email.address: "support at k0nsult" is not an email'),
        (('"updates"', '"newsletters"'), 'email.notify: "newsletters" is not a notification (confirmation,'),
        (('user = "support"\n', 'user = "support"\ntls = "tls"\n'), 'email.mailboxes[0].tls: "tls" is not one of'),
        (('user = "support"\n', 'user = "support"\ntls = "none"\n'), 'tls: "none" would send the mailbox\'s password'),
        (("DESK_TEST_IMAP_PASSWORD", "DESK_TEST_UNSET"), "the environment variable DESK_TEST_UNSET (the mailbox's"),
        (('address = "support@k0nsult.example"\n', ""), "email.address: mailboxes need our address"),
        (('name = "support"\n', 'name = "support"\ncolour = "red"\n'), "email.mailboxes[0].colour: unknown key"),
    ],
)
def test_email_settings_are_checked(tmp_path, monkeypatch, change, problem):
    monkeypatch.setenv("DESK_TEST_IMAP_PASSWORD", "secret")
    [found] = problems_of(VALID + EMAIL.replace(*change), tmp_path)
    assert problem in found
    assert "secret" not in found


def test_email_settings_when_right(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_TEST_IMAP_PASSWORD", "secret")
    email = parse(VALID + EMAIL, tmp_path).email
    assert (email.address, email.domain, email.notify) == (
        "support@k0nsult.example",
        "k0nsult.example",
        frozenset({"confirmation", "updates"}),
    )
    [mailbox] = email.mailboxes
    assert (mailbox.port, mailbox.tls, mailbox.folder, mailbox.poll_seconds) == (993, "ssl", "INBOX", 60.0)
    assert "secret" not in repr(mailbox)
    assert not parse(VALID, tmp_path).email.notifies("confirmation")  # no [email]: nothing by email


def test_the_monthly_report_day(tmp_path):
    assert parse(VALID, tmp_path).monthly_report_day == 1
    assert parse(VALID + "[reports]\nmonthly_on_business_day = 0\n", tmp_path).monthly_report_day == 0
    assert problems_of(VALID + "[reports]\nmonthly_on_business_day = 25\n", tmp_path) == [
        "frontdesk.toml: reports.monthly_on_business_day: must be a business day of the month from 1 to 20, "
        "or 0 for no monthly report"
    ]
