"""The read API's bearer tokens (docs/security.md, "The read API").

Rules: a token is stored only as the SHA-256 of its text (hex, 64 characters), never the text itself; a row is
looked up by that hash, so no stored secret is ever compared byte by byte. A name is unique for ever: a revoked
token keeps its row (and its name), so the audit log's names stay unambiguous. See storage.api_tokens.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
