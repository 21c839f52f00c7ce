"""Block Kit as Slack checks it: the blocks of a message or a view, and a view's own fields.

Rules:
- `block_problems(blocks, most=, pointer=)` and `view_problems(view)` answer every problem found (Slack lists
  them all), each worded as Slack words it: `must be less than 76 characters [json-pointer:/blocks/0/elements/0/
  text/text]`, `no more than 25 items allowed [json-pointer:/blocks/0/elements]`. None found: an empty tuple.
- Two checks, both always: Slack's documented limits (`LIMITS`, by block, element or view type, plus the ids and
  placeholders of any object and the text of any option), and slack_sdk's own models (`Block.parse`, and `View`
  for a view's fields), whose `to_dict()` runs `validate_json()` on every object down the tree
  (`SlackObjectFormationError`). A block slack_sdk does not know is `unsupported type`; one its models cannot even
  build `failed to match all allowed schemas`. Where the limits found a problem in a block, slack_sdk's word on
  that block is not added (it would say the same thing again).
- A view's blocks are checked here; its block count is (`MAX_VIEW_BLOCKS`), not slack_sdk's (which refuses an
  empty view, as Slack does not).
- Message text is not Block Kit: chat.postMessage cuts it at 40,000 characters, see `methods.common`.
- Pure functions: no state, no I/O.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
OPTION = "option"  # the items of `options`, `initial_options` and `initial_option` (they carry no type)


class Measure(Enum):
    TEXT = "the characters of a text object's text"
    CHARACTERS = "the characters of a string"
    ITEMS = "the items of a list"
    EACH_TEXT = "the characters of each text object of a list"


@dataclass(frozen=True)
class Limit:
    field: str
    most: int
    measure: Measure = Measure.TEXT


ANY_OBJECT = (
    Limit("block_id", 255, Measure.CHARACTERS),
    Limit("action_id", 255, Measure.CHARACTERS),
    Limit("placeholder", 150),
)
_SELECT = (Limit("options", 100, Measure.ITEMS), Limit("option_groups", 100, Measure.ITEMS))
_VIEW = (
    Limit("title", 24),
    Limit("submit", 24),
    Limit("close", 24),
    Limit("private_metadata", 3_000, Measure.CHARACTERS),
    Limit("callback_id", 255, Measure.CHARACTERS),
    Limit("external_id", 255, Measure.CHARACTERS),
)
LIMITS: dict[str, tuple[Limit, ...]] = {
    "section": (Limit("text", 3_000), Limit("fields", 10, Measure.ITEMS), Limit("fields", 2_000, Measure.EACH_TEXT)),
    "header": (Limit("text", 150),),
    "context": (Limit("elements", 10, Measure.ITEMS),),
    "actions": (Limit("elements", 25, Measure.ITEMS),),
    "input": (Limit("label", 2_000), Limit("hint", 2_000)),
    "button": (Limit("text", 75), Limit("value", 2_000, Measure.CHARACTERS), Limit("url", 3_000, Measure.CHARACTERS)),
    OPTION: (Limit("text", 75), Limit("description", 75), Limit("value", 150, Measure.CHARACTERS)),
    "static_select": _SELECT,
    "multi_static_select": _SELECT,
    "modal": _VIEW,
    "home": _VIEW,
}


def block_problems(blocks: list[Any], *, most: int, pointer: str = "/blocks") -> tuple[str, ...]:
    """What Slack would refuse in `blocks` (a JSON array, at most `most` blocks), where `pointer` is."""
    if len(blocks) > most:
        return (f"no more than {most} items allowed [json-pointer:{pointer}]",)
    problems: list[str] = []
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"missing required field: type [json-pointer:{where}]")
            continue
        over = list(_over(block, where, block["type"]))
        problems.extend(over or _sdk_block_problems(block, where))
    return tuple(problems)


def view_problems(view: dict[str, Any], pointer: str = "/view") -> tuple[str, ...]:
    """What Slack would refuse in a view: its own fields (not its blocks: see `block_problems`)."""
    fields = {key: value for key, value in view.items() if key != "blocks"}
    over = list(_own(fields, pointer, str(view.get("type"))))
    if over:
        return tuple(over)
    try:
        model = View(**fields)
        model.blocks = None  # type: ignore[assignment]  # counted by `block_problems`: Slack takes an empty view
        model.to_dict()
    except SlackObjectFormationError as error:
        return (f"{error} [json-pointer:{pointer}]",)
    except (TypeError, ValueError, AttributeError, KeyError):
        return (f"failed to match all allowed schemas [json-pointer:{pointer}]",)
    return ()


def _sdk_block_problems(block: dict[str, Any], where: str) -> list[str]:
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [f"unsupported type: {block['type']} [json-pointer:{where}/type]"]
        parsed.to_dict()
    except SlackObjectFormationError as error:
        return [f"{error} [json-pointer:{where}]"]
    except (TypeError, ValueError, AttributeError, KeyError):
        return [f"failed to match all allowed schemas [json-pointer:{where}]"]
    return []


def _over(node: Any, where: str, kind: str | None) -> Iterator[str]:
    """The limits `node` (an object of type `kind`, or any JSON value) and everything inside it break."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _over(item, f"{where}/{index}", _kind(item))
        return
    if not isinstance(node, dict) or node.get("type") in TEXT_TYPES:
        return
    yield from _own(node, where, kind)
    for key, value in node.items():
        inner = f"{where}/{key}"
        if key in ("options", "initial_options") and isinstance(value, list):
            for index, option in enumerate(value):
                yield from _over(option, f"{inner}/{index}", OPTION)
        elif key == "initial_option":
            yield from _over(value, inner, OPTION)
        else:
            yield from _over(value, inner, _kind(value))


def _own(node: dict[str, Any], where: str, kind: str | None) -> Iterator[str]:
    for limit in (*ANY_OBJECT, *LIMITS.get(kind or "", ())):
        if limit.field in node:
            yield from _broken(limit, node[limit.field], f"{where}/{limit.field}")


def _broken(limit: Limit, value: Any, where: str) -> Iterator[str]:
    too_long = f"must be less than {limit.most + 1} characters"
    match limit.measure:
        case Measure.TEXT:
            if isinstance(value, dict) and len(str(value.get("text", ""))) > limit.most:
                yield f"{too_long} [json-pointer:{where}/text]"
        case Measure.CHARACTERS:
            if len(str(value)) > limit.most:
                yield f"{too_long} [json-pointer:{where}]"
        case Measure.ITEMS:
            if isinstance(value, list) and len(value) > limit.most:
                yield f"no more than {limit.most} items allowed [json-pointer:{where}]"
        case Measure.EACH_TEXT:
            for index, item in enumerate(value if isinstance(value, list) else []):
                yield from _broken(Limit(limit.field, limit.most), item, f"{where}/{index}")


def _kind(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else None
