"""`frontdesk init` writes a starting desk config that loads once the placeholder ids are real."""

from bot.config.desk import load_desk_config
from tests.bot.cli.conftest import run_frontdesk


def test_init_writes_a_config_that_loads(tmp_path):
    path = tmp_path / "frontdesk.toml"
    outcome = run_frontdesk("init", str(path), "--policy", "kiwi")
    assert outcome.exit_code == 0
    assert outcome.stdout.startswith(f"wrote {path}")
    config = load_desk_config(path)
    assert (config.policy.name, config.intake_channel, config.agents.users) == ("kiwi", "C0INTAKE01", ("U0AGENT001",))


def test_init_never_overwrites_without_force(tmp_path):
    path = tmp_path / "frontdesk.toml"
    path.write_text("mine")
    refused = run_frontdesk("init", str(path))
    assert (refused.exit_code, refused.stderr) == (2, f"frontdesk: {path} exists; use --force to overwrite it\n")
    assert path.read_text() == "mine"
    assert run_frontdesk("init", str(path), "--force").exit_code == 0
    assert path.read_text().startswith("# Frontdesk desk configuration.")


def test_init_refuses_an_unknown_preset(tmp_path):
    outcome = run_frontdesk("init", str(tmp_path / "x.toml"), "--policy", "acme")
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith('frontdesk: unknown preset "acme"')


def test_the_commented_email_section_loads_once_uncommented(tmp_path, monkeypatch):
    path = tmp_path / "frontdesk.toml"
    run_frontdesk("init", str(path))
    lines = path.read_text().splitlines()
    start = lines.index("# [email]")
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("#"))
    lines[start:end] = [line.removeprefix("# ") for line in lines[start:end] if not line.startswith("#  ")]
    path.write_text("\n".join(lines))
    monkeypatch.setenv("FRONTDESK_IMAP_PASSWORD", "secret")
    email = load_desk_config(path).email
    assert (email.address, email.max_message_bytes, email.rate_per_hour) == ("support@example.com", 25 << 20, 20)
    assert "updates" not in email.notify
    assert email.notifies("confirmation")
    [mailbox] = email.mailboxes
    assert (mailbox.name, mailbox.host, mailbox.port) == ("support", "imap.example.com", 993)
    assert mailbox.password == "secret"


def test_the_commented_services_load_once_uncommented(tmp_path):
    path = tmp_path / "frontdesk.toml"
    run_frontdesk("init", str(path))
    text = path.read_text()
    start = text.index("# [[services]]")
    end = text.index("# Maintenance windows")
    uncommented = "\n".join(line.removeprefix("# ") for line in text[start:end].splitlines())
    path.write_text(text[:start] + uncommented + "\n" + text[end:])
    services = load_desk_config(path).services
    assert [(s.id, s.name) for s in services] == [("search", "Search"), ("api", "Public API")]


def test_the_commented_jira_table_loads_once_uncommented(tmp_path):
    path = tmp_path / "frontdesk.toml"
    run_frontdesk("init", str(path))
    text = path.read_text()
    start = text.index("# [jira]")
    uncommented = "\n".join(line.removeprefix("# ") for line in text[start:].splitlines())
    path.write_text(text[:start] + uncommented + "\n")
    jira = load_desk_config(path).jira
    assert jira is not None
    assert (jira.url, jira.project, jira.api_path, jira.token_env, jira.email_env) == (
        "https://example.atlassian.net", "OPS", "/rest/api/3", "JIRA_API_TOKEN", "JIRA_EMAIL")  # fmt: skip
