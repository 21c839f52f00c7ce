"""How long a policy's words may be: each becomes a part of Slack that limits its length
(docs/architecture.md, "Policies").

Rules:
- A matrix choice's label is a button (the question asked in a request's thread) and an option of the support
  form: at most 75 characters, Slack's limit for both. Its name is the option's value: at most 150.
- A matrix question labels a select of the support form: at most 2,000 characters (an input's label).
- A priority is an option of the triage card, shown as "<name> <label>": at most 75 characters together.
- A matrix has at most 25 impacts and 25 urgencies (the buttons of one row); a policy at most 100 priorities
  (the options of one select).
- `too_long` says what is wrong with a text, or None when it fits. Pure: no I/O.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Room:
    """Where Slack shows a text, and how many characters it takes there."""

    where: str
    most: int


BUTTON = Room("a button or an option, whose text Slack limits", 75)
OPTION_VALUE = Room("an option's value, which Slack limits", 150)
INPUT_LABEL = Room("the label of a form's field, which Slack limits", 2_000)
BUTTONS_IN_A_ROW = 25
OPTIONS_IN_A_SELECT = 100


def too_long(text: str, room: Room) -> str | None:
    """Why `text` does not fit `room` (naming it and the limit), or None when it fits."""
    if len(text) <= room.most:
        return None
    shown = text if len(text) <= 40 else text[:39] + "…"
    return f'"{shown}" is {len(text)} characters; it becomes {room.where} to {room.most:,}'
