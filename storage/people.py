"""Services for customers, requesters and agents.

Rules:
- Customers and agents come from the desk config: `save_customer`/`save_agent` create or update by name or
  Slack user id, replace a customer's matches, and audit what changed.
- A customer is found by the Slack channel a request came from, else by the domain of the sender's email
  (compared in lower case).
- Requesters are created the first time they write and updated when Slack or email tells more about them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import NotFoundError
from storage.kinds import AgentLevel, MatchKind, parse
from storage.tables import Agent, Customer, CustomerMatch, Requester


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    name: str
    plan: str


@dataclass(frozen=True)
class AgentRecord:
    id: int
    slack_user_id: str | None
    email: str | None
    name: str | None
    level: AgentLevel
    active: bool


def save_customer(
    session: Session,
    *,
    name: str,
    plan: str,
    slack_channels: Iterable[str] = (),
    email_domains: Iterable[str] = (),
    actor: str,
    now: datetime,
) -> CustomerRecord:
    """Creates or updates the customer called `name`, with its plan and the channels and domains that match it."""
    customer = session.exec(select(Customer).where(col(Customer.name) == name).with_for_update()).first()
    matches = sorted(
        {(MatchKind.SLACK_CHANNEL.value, channel) for channel in slack_channels}
        | {(MatchKind.EMAIL_DOMAIN.value, domain.lower().lstrip("@")) for domain in email_domains}
    )
    if customer is None:
        customer = Customer(name=name, plan=plan, created_at=to_utc(now))
        session.add(customer)
        session.flush()
        old: dict[str, object] | None = None
    else:
        current = session.exec(
            select(CustomerMatch.kind, CustomerMatch.value).where(col(CustomerMatch.customer_id) == customer.id)
        )
        old = {"plan": customer.plan, "matches": sorted((kind, value) for kind, value in current)}
    assert customer.id is not None
    new = {"plan": plan, "matches": matches}
    if old != new:
        customer.plan = plan
        session.add(customer)
        session.exec(delete(CustomerMatch).where(col(CustomerMatch.customer_id) == customer.id))
        session.add_all(CustomerMatch(customer_id=customer.id, kind=kind, value=value) for kind, value in matches)
        session.flush()
        action = "customer.created" if old is None else "customer.changed"
        audit.record(
            session, actor=actor, action=action, at=now, subject=f"customer:{customer.id}", before=old, after=new
        )
    return CustomerRecord(customer.id, customer.name, customer.plan)


def customers(session: Session) -> list[CustomerRecord]:
    """Every customer, by name."""
    rows = session.exec(select(Customer).order_by(col(Customer.name)))
    return [CustomerRecord(row.id, row.name, row.plan) for row in rows if row.id is not None]


def find_customer(
    session: Session, *, slack_channel: str | None = None, email: str | None = None
) -> CustomerRecord | None:
    """The customer matched by the Slack channel, else by the email address's domain; None when none matches."""
    candidates = []
    if slack_channel:
        candidates.append((MatchKind.SLACK_CHANNEL.value, slack_channel))
    if email and "@" in email:
        candidates.append((MatchKind.EMAIL_DOMAIN.value, email.rsplit("@", 1)[1].lower()))
    for kind, value in candidates:
        statement = (
            select(Customer)
            .join(CustomerMatch, col(CustomerMatch.customer_id) == col(Customer.id))
            .where(col(CustomerMatch.kind) == kind, col(CustomerMatch.value) == value)
        )
        customer = session.exec(statement).first()
        if customer is not None:
            assert customer.id is not None
            return CustomerRecord(customer.id, customer.name, customer.plan)
    return None


def save_requester(
    session: Session,
    *,
    now: datetime,
    slack_team_id: str | None = None,
    slack_user_id: str | None = None,
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    time_zone: str | None = None,
    customer_id: int | None = None,
) -> int:
    """The id of the requester known by Slack ids (else by email), created or completed with what is given."""
    statement = select(Requester)
    if slack_user_id is not None:
        statement = statement.where(
            col(Requester.slack_team_id) == slack_team_id, col(Requester.slack_user_id) == slack_user_id
        )
    elif email is not None:
        statement = statement.where(col(Requester.email) == email, col(Requester.slack_user_id).is_(None))
    else:
        raise ValueError("a requester needs a Slack user id or an email address")
    requester = session.exec(statement.order_by(col(Requester.id)).limit(1)).first()
    if requester is None:
        requester = Requester(slack_team_id=slack_team_id, slack_user_id=slack_user_id, created_at=to_utc(now))
    given = {"email": email, "name": name, "phone": phone, "time_zone": time_zone, "customer_id": customer_id}
    for field, value in given.items():
        if value is not None:
            setattr(requester, field, value)
    session.add(requester)
    session.flush()
    assert requester.id is not None
    return requester.id


def save_agent(
    session: Session,
    *,
    level: str,
    actor: str,
    now: datetime,
    slack_user_id: str | None = None,
    email: str | None = None,
    name: str | None = None,
    active: bool = True,
) -> AgentRecord:
    """Creates or updates the agent with this Slack user id (else this email) and audits the change."""
    checked_level = parse(AgentLevel, level)
    if slack_user_id is not None:
        where = col(Agent.slack_user_id) == slack_user_id
    elif email is not None:
        where = col(Agent.email) == email
    else:
        raise ValueError("an agent needs a Slack user id or an email address")
    agent = session.exec(select(Agent).where(where).with_for_update()).first()
    new = {"email": email, "name": name, "level": checked_level.value, "active": active}
    old = None if agent is None else {field: getattr(agent, field) for field in new}
    if agent is None:
        agent = Agent(slack_user_id=slack_user_id, level=checked_level.value)
    if old != new:
        for field, value in new.items():
            setattr(agent, field, value)
        session.add(agent)
        session.flush()
        action = "agent.created" if old is None else "agent.changed"
        audit.record(session, actor=actor, action=action, at=now, subject=f"agent:{agent.id}", before=old, after=new)
    assert agent.id is not None
    return AgentRecord(agent.id, agent.slack_user_id, agent.email, agent.name, checked_level, agent.active)


def agents(session: Session, *, level: str | None = None) -> list[AgentRecord]:
    """Active agents, optionally of one level."""
    statement = select(Agent).where(col(Agent.active).is_(True))
    if level is not None:
        statement = statement.where(col(Agent.level) == parse(AgentLevel, level).value)
    return [
        AgentRecord(row.id, row.slack_user_id, row.email, row.name, AgentLevel(row.level), row.active)  # type: ignore[arg-type]
        for row in session.exec(statement.order_by(col(Agent.id)))
    ]


def agent_of(session: Session, agent_id: int) -> AgentRecord:
    """The agent with this id."""
    row = session.get(Agent, agent_id)
    if row is None:
        raise NotFoundError(f"no agent with id {agent_id}")
    return AgentRecord(row.id, row.slack_user_id, row.email, row.name, AgentLevel(row.level), row.active)  # type: ignore[arg-type]


def requester_user(session: Session, requester_id: int) -> str | None:
    """The Slack user id of a requester, if they came from Slack."""
    row = session.get(Requester, requester_id)
    return None if row is None else row.slack_user_id


def is_requester(session: Session, requester_id: int | None, who: str) -> bool:
    """Whether `who` (a Slack user id, or an email address in any case) is the requester `requester_id`."""
    row = session.get(Requester, requester_id) if requester_id is not None and who else None
    if row is None:
        return False
    return row.slack_user_id == who or (row.email is not None and row.email.lower() == who.lower())


def requester_email(session: Session, requester_id: int) -> str | None:
    """The email address of a requester, if known."""
    row = session.get(Requester, requester_id)
    return None if row is None else row.email


def requester_emails(session: Session, domains: Iterable[str]) -> list[str]:
    """The email addresses of known requesters at exactly one of `domains` (case-insensitive, not subdomains),
    each once whatever its case, sorted."""
    wanted = {domain.strip().lstrip("@").lower() for domain in domains} - {""}
    if not wanted:
        return []
    email = func.lower(col(Requester.email))
    at_domain = or_(*(email.endswith(f"@{domain}", autoescape=True) for domain in sorted(wanted)))
    rows = session.exec(select(Requester.email).where(at_domain).distinct())
    found: dict[str, str] = {}
    for address in sorted(str(row) for row in rows if row):
        found.setdefault(address.lower(), address)
    return sorted(found.values())
