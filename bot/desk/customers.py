"""The desk config's customers in the database, so requests, outages and reports can name them.

Rules: a customer row is kept per configured customer (by name) with its plan, channels and domains, written
when a request of theirs is opened and before their monthly report; an unchanged customer writes nothing (no
audit noise). A customer removed from the config keeps its row (its requests still point at it).
"""

from datetime import datetime

from bot.actor import ACTOR
from bot.config.desk import Customer, DeskConfig
from storage import people
from storage.engine import Database, Session


def customer_id(session: Session, customer: Customer, now: datetime) -> int:
    """The row id of a configured customer, its row written or brought up to date first."""
    return people.save_customer(
        session, name=customer.name, plan=customer.plan, slack_channels=customer.slack_channels,
        email_domains=customer.email_domains, actor=ACTOR, now=now,
    ).id  # fmt: skip


def save_customers(database: Database, desk: DeskConfig, now: datetime) -> None:
    """Every configured customer's row, up to date."""
    with database.write() as session:
        for customer in desk.customers:
            customer_id(session, customer, now)
