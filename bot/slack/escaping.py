"""Slack's escaping of message text: ``&``, ``<`` and ``>`` arrive as ``&amp;``, ``&lt;`` and
``&gt;`` (a real ``<`` only ever opens Slack markup such as ``<@U123>``).

Text from Slack is unescaped once here, on the way in; the renderer escapes once on the way out.
"""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(amp|lt|gt);")
_CHARACTER = {"amp": "&", "lt": "<", "gt": ">"}


def unescape(text: str) -> str:
    """The text as the person typed it; one pass, so ``&amp;lt;`` becomes ``&lt;``, not ``<``."""
    return _ENTITY.sub(lambda m: _CHARACTER[m.group(1)], text)
