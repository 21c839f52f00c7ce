"""What an inbox row does once its look-ups are made: an `Act`, run by the inbox worker in the row's transaction.

Rules (docs/architecture.md, "The path of a message"):
- A handler (bot.slack's, bot.email.service's) makes its look-ups before the transaction and returns an `Act`,
  or None when the row does nothing.
- An act gets one `ActContext` and uses what it needs of it: the transaction, the intake service, what is said
  (bot.say.Say, for Slack and email) and the worker's clock. Everything it writes commits with the row's
  "done", or not at all.
- The intake and `Say` are named here for their types only: importing this module imports neither Slack nor
  email.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from storage.engine import Session

if TYPE_CHECKING:
    from bot.desk.intake.requests import Intake
    from bot.say import Say


@dataclass(frozen=True)
class ActContext:
    """What an act works with, in the worker's transaction."""

    session: Session
    intake: "Intake"
    say: "Say"
    now: datetime


Act = Callable[[ActContext], None]
