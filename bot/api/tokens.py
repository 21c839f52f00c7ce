"""The read API's bearer tokens as text: made, hashed, read from a request's header.

Rules (docs/security.md, "The read API"):
- A token is `fd_` and 32 random bytes from the operating system's CSPRNG (`secrets`), URL-safe base64 without
  padding: 46 characters, 256 bits of entropy. It is printed once, when made; only its SHA-256 (hex) is stored.
- A fast hash is enough: the token is random, not chosen by a person, so there is no dictionary to try and 2^256
  guesses to make; a slow hash protects low-entropy passwords and would only make every request slower.
- `presented` reads `Authorization: Bearer <token>` (the scheme's name in any case, one space or more): no header
  is MISSING; anything else that is not a token's shape is refused without a look-up.
"""

import hashlib
import re
import secrets

PREFIX = "fd_"
MISSING = ""
_SHAPE = re.compile(r"fd_[A-Za-z0-9_-]{43}")
_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +(\S+) *")


def new_token() -> str:
    """A new token (the module's rules)."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of the token's text, as 64 lower-case hex digits: what storage keeps and looks up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def presented(authorization: str) -> str | None:
    """The token of an Authorization header's value: MISSING when there is none, None when it is no token."""
    if not authorization:
        return MISSING
    match = _BEARER.fullmatch(authorization)
    if match is None or _SHAPE.fullmatch(match.group(1)) is None:
        return None
    return match.group(1)
