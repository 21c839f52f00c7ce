"""`--link` for Jira (JiraTracker.parse_link): "OPS-123" in any case or the site's own browse URL names an issue of
the desk's project; anything else, another project or another site, is refused (None)."""

from hypothesis import given
from hypothesis import strategies as st

from bot.config.trackers import JiraDesk, JiraSecrets
from bot.integrations.trackers.jira import JiraTracker
from bot.integrations.trackers.tracker import IssueRef

SITE = "https://acme.atlassian.net"
TRACKER = JiraTracker(JiraDesk(url=SITE, project="OPS"), JiraSecrets(token="t"))
NUMBERS = st.integers(min_value=1, max_value=10**12)


@given(
    NUMBERS, st.sampled_from(["OPS-{}", "ops-{}", " OPS-{} ", f"{SITE}/browse/OPS-{{}}", f"{SITE}/browse/ops-{{}}/"])
)
def test_a_key_or_browse_url_of_the_project(number: int, form: str) -> None:
    assert TRACKER.parse_link(form.format(number)) == IssueRef("jira", f"OPS-{number}", f"{SITE}/browse/OPS-{number}")


@given(st.text(max_size=60))
def test_anything_else_is_refused_or_a_key_of_the_project(text: str) -> None:
    ref = TRACKER.parse_link(text)
    if ref is not None:
        assert ref.key.startswith("OPS-")
        assert ref.url == f"{SITE}/browse/{ref.key}"
        assert ref.key.removeprefix("OPS-").isdigit()


def test_other_projects_sites_and_shapes_are_refused() -> None:
    for text in ["HR-12", "OPS-0", "OPS-", "OPS12", "#12", "OPS-1 OPS-2", "OPS-１２",
                 "https://evil.example/browse/OPS-1", "http://acme.atlassian.net/browse/OPS-1",
                 f"{SITE}/jira/browse/OPS-1", f"{SITE}/browse/HR-1", f"{SITE}/issues/OPS-1", ""]:  # fmt: skip
        assert TRACKER.parse_link(text) is None, text


def test_a_data_center_site_with_a_context_path() -> None:
    tracker = JiraTracker(JiraDesk(url="https://jira.example.com/jira", project="SUP", flavour="datacenter",
                                   api_path="/rest/api/2"), JiraSecrets(token="t"))  # fmt: skip
    assert tracker.parse_link("https://jira.example.com/jira/browse/SUP-7") == IssueRef(
        "jira", "SUP-7", "https://jira.example.com/jira/browse/SUP-7")  # fmt: skip
    assert tracker.parse_link("https://jira.example.com/browse/SUP-7") is None
