"""Slack's limits on what the bot writes, and cutting text to one exactly.

Rules:
- `cut(text, most)` keeps `text` whole when it fits in `most` characters; else it is cut at the last word boundary
  of what fits (or mid-word when a single word is longer) and ends with "…", all within `most`. Never longer:
  Jinja's own `truncate(n)` lets up to 5 more characters through (its `leeway`), which makes a 76 to 80 character
  button that Slack refuses.
- Templates cut with the `cut` filter (bot.render), which is this function.
- The limits are Slack's documented ones: a button's or an option's text 75 characters, a form field's label
  2,000, a section's text 3,000 (bot/slack_emulator/blockkit.py checks the same).
"""

BUTTON_TEXT = 75
INPUT_LABEL = 2_000
SECTION_TEXT = 3_000
ELLIPSIS = "…"


def cut(text: object, most: int) -> str:
    """`text` in at most `most` characters: whole, or cut with a visible "…"."""
    if most < 1:
        raise ValueError(f"cannot cut text to {most} characters")
    whole = str(text)
    if len(whole) <= most:
        return whole
    kept = whole[: most - 1]
    head, space, _ = kept.rpartition(" ")
    return (head.rstrip() if space and head.strip() else kept) + ELLIPSIS
