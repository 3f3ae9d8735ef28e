"""Slack's suggested prompts for an assistant thread: the welcome's questions, as prompts.

Slack takes at most four prompts, each a ``title`` shown on the prompt and a ``message`` the
person sends by pressing it; it documents no length for either. The prompts are the questions
``suggested_entries`` chooses for the welcome's buttons, so the same content suggests the same
questions on either surface; picking shorter ones instead would favour brief questions over a
spread of the content. The ``message`` is the official question whole: the person sends it, the
thread shows it as asked, and the matcher gives an official question typed as published its own
entry. Only the ``title`` is shortened, at a word and marked with "…", to a button's length.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.models import Entry
from bot.render.blocks import shorten

MAX_PROMPTS = 4  # Slack's documented limit for assistant.threads.setSuggestedPrompts
# Ours, as Slack documents none: a prompt is pressed like a button, so its title is held to
# Block Kit's 75 characters of button text.
TITLE_LIMIT = 75
# Slack advises keeping a message's text within 4,000 characters (it cuts it past 40,000). A
# question longer than that (no release has one) is asked by its label, which the matcher looks
# up exactly, rather than cut.
MESSAGE_LIMIT = 4000
PROMPTS_TITLE = "Ask me a question for its official answer, or try one of these:"

Prompt = dict[str, str]


def suggested_prompts(suggested: Sequence[Entry]) -> list[Prompt]:
    """A prompt per suggested entry, at most four: the question sent whole, a title to fit."""
    return [_prompt(entry) for entry in suggested[:MAX_PROMPTS]]


def _prompt(entry: Entry) -> Prompt:
    message = entry.question if len(entry.question) <= MESSAGE_LIMIT else entry.label
    # One line on the prompt: a question written over lines in the content reads the same.
    title = shorten(" ".join(entry.question.split()), TITLE_LIMIT)
    return {"title": title, "message": message}
