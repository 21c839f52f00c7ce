"""The desk config's `[[services]]`: kept in the order written, checked at load with the key named, and named
by maintenance windows; a desk without them has none (one implicit service)."""

from pathlib import Path

import pytest

from bot.config.desk import DeskConfigError, Service, parse_desk_config

BASE = """
policy = "k0nsult"
[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"
[agents]
users = ["U0AGENT001"]
"""
TWO = """
[[services]]
id = "search"
name = "Search"
description = "Finding   documents"
[[services]]
id = "api"
name = "Public API"
"""


def _desk(extra: str = ""):
    return parse_desk_config(BASE + extra, source="frontdesk.toml", folder=Path("."))


def _problems(extra: str) -> list[str]:
    with pytest.raises(DeskConfigError) as raised:
        _desk(extra)
    return raised.value.problems


def test_a_desk_without_services_has_none():
    assert _desk().services == ()


def test_services_keep_their_order_and_are_found_by_id_or_name():
    desk = _desk(TWO)
    assert desk.services == (Service("search", "Search", "Finding documents"), Service("api", "Public API"))
    assert desk.service_named("API") == desk.services[1]
    assert desk.service_named("public api") == desk.services[1]
    assert desk.service_named("billing") is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('[[services]]\nid = "Search Engine"\nname = "Search"\n', '"Search Engine" is not a service id'),
        ('[[services]]\nname = "Search"\n', "services[0].id: is required"),
        ('[[services]]\nid = "search"\n', "services[0].name: is required"),
        ('[[services]]\nid = "search"\nname = "  "\n', "services[0].name: must not be empty"),
        (TWO + '[[services]]\nid = "api"\nname = "Other"\n', '"api" is already used by service api'),
        (TWO + '[[services]]\nid = "web"\nname = "SEARCH"\n', '"search" is already used by service search'),
        ('[[services]]\nid = "search"\nname = "Search"\nurl = "x"\n', "services[0].url: unknown key"),
    ],
)
def test_a_wrong_service_is_named_with_its_key(extra, expected):
    (problem,) = _problems(extra)
    assert problem.startswith("frontdesk.toml")
    assert expected in problem


MAINTENANCE = """
[[maintenance]]
start = 2026-12-05T22:00:00+01:00
end = 2026-12-06T00:00:00+01:00
title = "Index rebuild"
"""


def test_a_maintenance_window_names_known_services_or_hits_every_one():
    desk = _desk(TWO + MAINTENANCE + 'services = ["search", "search"]\n' + MAINTENANCE)
    assert [w.services for w in desk.maintenance] == [("search",), ()]


def test_a_maintenance_window_naming_an_unknown_service_lists_the_known_ones():
    (problem,) = _problems(TWO + MAINTENANCE + 'services = ["billing"]\n')
    assert "maintenance[0].services" in problem
    assert '"billing" is not a service of this desk (search, api)' in problem
    (problem,) = _problems(MAINTENANCE + 'services = ["search"]\n')
    assert "none: add [[services]] first" in problem
