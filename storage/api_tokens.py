"""The read API's bearer tokens: created, listed, revoked, and found by their hash (docs/security.md, "The read API").

Rules:
- storage never sees a token, only its hash (bot.api.tokens makes both): a token is found by an index look-up of
  its hash, so no secret is compared byte by byte and no timing tells a caller how much of a guess was right.
- A name is 1 to 64 letters, digits, `.`, `_` or `-`, and unique for ever: a revoked token keeps its row and its
  name, so the audit log's names stay unambiguous. Creating and revoking are audited ("api_token.created",
  "api_token.revoked") with the name as subject, never the hash; revoking a revoked token changes nothing.
- `find_token` only reads. `mark_used` records the instant a token was last used, at most once per `USE_PRECISION`
  (a conditional UPDATE), so serving a request writes once a minute per token, not once per request.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError, NotFoundError
from storage.tables import ApiToken

USE_PRECISION = timedelta(minutes=1)
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_HASH = re.compile(r"[0-9a-f]{64}")
CREATED, REVOKED = "api_token.created", "api_token.revoked"


@dataclass(frozen=True)
class TokenRecord:
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def check_name(name: str) -> str:
    """`name` when it is a token's name (the module's rules), else InvalidValueError."""
    if _NAME.fullmatch(name) is None:
        raise InvalidValueError(f"{name!r} is not a token name: 1 to 64 letters, digits, '.', '_' or '-'")
    return name


def create_token(session: Session, *, name: str, token_hash: str, actor: str, now: datetime) -> TokenRecord:
    """Stores a new token under `name` (taken before, even by a revoked token: InvalidValueError)."""
    check_name(name)
    if _HASH.fullmatch(token_hash) is None:
        raise InvalidValueError("a token hash is 64 lower-case hex digits (SHA-256)")
    if session.exec(select(ApiToken).where(col(ApiToken.name) == name)).first() is not None:
        raise InvalidValueError(f"a token named {name!r} exists already (revoked tokens keep their names)")
    row = ApiToken(name=name, token_hash=token_hash, created_at=to_utc(now))
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action=CREATED, at=now, subject=f"api_token:{name}")
    return _record(row)


def tokens(session: Session) -> list[TokenRecord]:
    """Every token, active or revoked, by name."""
    return [_record(row) for row in session.exec(select(ApiToken).order_by(col(ApiToken.name)))]


def revoke_token(session: Session, name: str, *, actor: str, now: datetime) -> TokenRecord:
    """Revokes the token `name` from `now` on (NotFoundError when there is none); a revoked one stays as it was."""
    row = session.exec(select(ApiToken).where(col(ApiToken.name) == name).with_for_update()).first()
    if row is None:
        raise NotFoundError(f"no token named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = to_utc(now)
        session.add(row)
        session.flush()
        audit.record(session, actor=actor, action=REVOKED, at=now, subject=f"api_token:{name}")
    return _record(row)


def find_token(session: Session, token_hash: str) -> TokenRecord | None:
    """The token whose hash is `token_hash`, active or revoked, or None."""
    row = session.exec(select(ApiToken).where(col(ApiToken.token_hash) == token_hash)).first()
    return None if row is None else _record(row)


def mark_used(session: Session, name: str, now: datetime) -> bool:
    """Records `now` as the token's last use unless a use within USE_PRECISION before it is recorded; whether it
    wrote."""
    instant = to_utc(now)
    statement = (
        update(ApiToken)
        .where(col(ApiToken.name) == name)
        .where(or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) <= instant - USE_PRECISION))
        .values(last_used_at=instant)
    )
    return bool(session.exec(statement).rowcount)


def _record(row: ApiToken) -> TokenRecord:
    return TokenRecord(row.name, row.created_at, row.last_used_at, row.revoked_at)
