"""The desk config's `[paging]` (bot.config.paging): pagers by name, keys by environment variable, origins that
are https (or loopback), responders as KIND:NAME; every problem names the file and the key."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config.desk import DeskConfigError, parse_desk_config
from bot.config.paging import OPSGENIE_URL, PAGERDUTY_URL, RESPONDER_KINDS, Responder, parse_responder
from sla.policy_reader import PolicyError, Reader

DESK = """
policy = "livepro"

[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"

[agents]
users = ["U0AGENT001"]
"""


def desk_with(paging: str, tmp_path):
    return parse_desk_config(DESK + paging, source="desk.toml", folder=tmp_path)


def problems(paging: str, tmp_path) -> list[str]:
    with pytest.raises(DeskConfigError) as caught:
        desk_with(paging, tmp_path)
    return caught.value.problems


def test_without_paging_no_one_is_paged(tmp_path):
    paging = desk_with("", tmp_path).paging
    assert (paging.enabled, paging.services) == (False, ())


def test_both_pagers_with_their_defaults(tmp_path):
    paging = desk_with(
        '[paging.pagerduty]\nrouting_key_env = "PD_KEY"\n'
        '[paging.opsgenie]\napi_key_env = "OG_KEY"\nresponders = ["team:Support on-call", "user:ann@example.com"]\n',
        tmp_path,
    ).paging
    assert paging.services == ("pagerduty", "opsgenie")
    assert paging.pagerduty is not None
    assert (paging.pagerduty.routing_key_env, paging.pagerduty.url) == ("PD_KEY", PAGERDUTY_URL)
    assert paging.opsgenie is not None
    assert (paging.opsgenie.api_key_env, paging.opsgenie.url) == ("OG_KEY", OPSGENIE_URL)
    assert [r.to_json() for r in paging.opsgenie.responders] == [
        {"type": "team", "name": "Support on-call"},
        {"type": "user", "username": "ann@example.com"},
    ]


def test_the_eu_origin_and_a_loopback_relay_are_accepted(tmp_path):
    eu = desk_with('[paging.opsgenie]\napi_key_env = "K"\nurl = "https://api.eu.opsgenie.com/"\n', tmp_path)
    assert eu.paging.opsgenie is not None
    assert eu.paging.opsgenie.url == "https://api.eu.opsgenie.com"
    local = desk_with('[paging.pagerduty]\nrouting_key_env = "K"\nurl = "http://127.0.0.1:8080"\n', tmp_path)
    assert local.paging.pagerduty is not None
    assert local.paging.pagerduty.url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("paging", "key", "words"),
    [
        ("[paging.pagerduty]\n", "paging.pagerduty.routing_key_env", "is required"),
        ('[paging.pagerduty]\nrouting_key_env = "my key"\n', "paging.pagerduty.routing_key_env", "environment"),
        ('[paging.pagerduty]\nrouting_key = "abc"\nrouting_key_env = "K"\n', "paging.pagerduty.routing_key", "unknown"),
        ('[paging.opsgenie]\napi_key_env = "K"\nurl = "http://api.opsgenie.com"\n', "paging.opsgenie.url", "https"),
        ('[paging.opsgenie]\napi_key_env = "K"\nurl = "https://x.example/v2"\n', "paging.opsgenie.url", "origin"),
        ('[paging.opsgenie]\napi_key_env = "K"\nurl = "https://u:p@x.example"\n', "paging.opsgenie.url", "origin"),
        ('[paging.opsgenie]\napi_key_env = "K"\nresponders = ["ops"]\n', "paging.opsgenie.responders", "KIND:NAME"),
        ('[paging.victorops]\nkey_env = "K"\n', "paging.victorops", "unknown"),
    ],
)
def test_a_wrong_paging_table_is_refused_naming_the_key(tmp_path, paging, key, words):
    (problem,) = problems(paging, tmp_path)
    assert problem.startswith(f"desk.toml: {key}: ")
    assert words in problem


def reader() -> Reader:
    return Reader("desk.toml", "paging.opsgenie", {})


@given(kind=st.sampled_from(RESPONDER_KINDS), name=st.text(min_size=1, max_size=40).filter(str.strip))
def test_a_responder_is_its_kind_and_name(kind, name):
    assert parse_responder(reader(), f"{kind}:{name}") == Responder(kind, name.strip())


@given(text=st.text(max_size=40))
def test_any_text_is_a_responder_or_refused_on_responders(text):
    kind, colon, name = text.partition(":")
    if colon and kind in RESPONDER_KINDS and name.strip():
        assert parse_responder(reader(), text).kind == kind
    else:
        with pytest.raises(PolicyError) as caught:
            parse_responder(reader(), text)
        assert caught.value.key == "paging.opsgenie.responders"
