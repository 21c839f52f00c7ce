"""The Callers of the outgoing HTTP channel (bot.integrations.calls), one per integration the desk config turns on.

Rules:
- Built once at start (`frontdesk run`, `frontdesk worker`) from the desk config and the environment: each
  integration reads its credentials from the environment variables its desk-config table names, here and only
  here, and keeps them in its Caller (never in a row or a log).
- An integration that is not configured has no Caller; a stored call for it is dead-lettered by the sender
  ("no integration is configured for ...").
- Each integration adds one line below.
"""

from collections.abc import Mapping

from bot.config.desk import DeskConfig
from bot.integrations.calls import Caller
from bot.integrations.paging.callers import paging_callers
from bot.integrations.webhooks.caller import webhook_callers


def callers_for(desk: DeskConfig, environ: Mapping[str, str]) -> dict[str, Caller]:
    """The Callers of the integrations `desk` configures, by Caller name (the service's prefix)."""
    callers: dict[str, Caller] = {}
    callers |= paging_callers(desk.paging, environ)
    callers |= webhook_callers(desk.webhooks, environ)
    return callers
