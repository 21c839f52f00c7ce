"""The Caller of outgoing webhooks (bot.integrations.calls): signs each delivery when it is sent
(docs/integrations.md, "Outgoing webhooks").

Rules:
- `prepare` adds the signature headers (bot.integrations.webhooks.signing) over the exact bytes the channel sends
  (`body_of`), with the timestamp of this try (so a delivery retried an hour later is not refused as a replay),
  and the secret of the endpoint the call's service names (`webhook:<name>`). A call for an endpoint the desk
  config no longer has, or whose secret is missing, cannot be signed: it is refused (the channel dead-letters it).
- A receiver cannot be asked whether it got a delivery: `already_done` finds nothing, and a delivery whose answer
  was lost is sent again with the same `Frontdesk-Webhook-Id` (receivers dedupe by it).
- `secrets` maps an endpoint's name to its secret (bytes), read once at start from the environment variables
  the desk config names (bot.integrations.wiring); they are kept here only.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.config.desk import DeskConfigError
from bot.config.webhooks import Webhook
from bot.integrations.calls import Caller, HttpAnswer, HttpCall, body_of
from bot.integrations.webhooks import signing
from storage.engine import Session

SERVICE = "webhook"
MIN_SECRET = 16  # characters


class UnsignableCall(Exception):
    pass


class WebhookCaller:
    def __init__(self, secrets: Mapping[str, bytes]) -> None:
        self._secrets = dict(secrets)

    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        name = call.service.partition(":")[2]
        secret = self._secrets.get(name)
        if secret is None:
            raise UnsignableCall(f"no signing secret for webhook {name!r} (is it still in the desk config?)")
        event_id = str(call.json.get("id", "")) if isinstance(call.json, dict) else ""
        return call.with_headers(*signing.headers(secret, event_id, int(now.timestamp()), body_of(call) or b""))

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        return None

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        return None


def read_secrets(hooks: Sequence[Webhook], environ: Mapping[str, str]) -> tuple[dict[str, bytes], list[str]]:
    """Each endpoint's secret from the variable its `secret_env` names, and a problem for each one not set or
    shorter than MIN_SECRET characters (the doctor reports them, and the start stops on them)."""
    secrets: dict[str, bytes] = {}
    problems: list[str] = []
    for hook in hooks:
        secret = environ.get(hook.secret_env, "").strip()
        if len(secret) < MIN_SECRET:
            state = "is not set" if not secret else f"holds fewer than {MIN_SECRET} characters"
            problems.append(f"webhooks {hook.name}: secret_env: the environment variable {hook.secret_env} {state}")
        secrets[hook.name] = secret.encode()
    return secrets, problems


def webhook_callers(hooks: Sequence[Webhook], environ: Mapping[str, str]) -> dict[str, Caller]:
    """The webhook Caller when the desk config has endpoints; DeskConfigError names every secret missing."""
    if not hooks:
        return {}
    secrets, problems = read_secrets(hooks, environ)
    if problems:
        raise DeskConfigError(problems)
    return {SERVICE: WebhookCaller(secrets)}
