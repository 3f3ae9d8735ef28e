"""Questions about whether the loaded documents still hold ("is this still in effect?")."""

from __future__ import annotations

import re

# A question whose subject is the document itself ("this", "the memo", "these answers"), not
# a program or rule inside it: "is PEP still in effect?" is for the matcher, not for this.
_SUBJECT = (
    r"(?:this|these|that|those|the|your|its)"
    r"(?:\s+(?:release|document|doc|guidance|memos?|memoranda|memorandum|order|executive order"
    r"|eo|q\s*&\s*a|qa|faqs?|answers?|info|information|content|source|policy|page))?"
)
_STATE = (
    r"in effect|in force|current|valid|accurate|up to date|up-to-date|outdated|out of date"
    r"|revoked|rescinded|superseded|replaced|withdrawn|the latest|still good|still true"
)
_CURRENCY = re.compile(
    rf"^\s*(?:is|are|was|were|has|have)\s+{_SUBJECT}\s+(?:been\s+)?(?:still\s+)?(?:{_STATE})\b"
    r"[\s?!.]*(?:(?:still|now|today|anymore|any more)[\s?!.]*)?$",
    re.IGNORECASE,
)


def asks_currency(query: str) -> bool:
    """Whether the question asks if the loaded document itself is still current."""
    return bool(_CURRENCY.match(" ".join(query.split())))
