"""Personal details taken out of a question before any of its text is kept.

Masking goes by pattern: e-mail addresses, phone numbers, A-numbers (alien registration
numbers), Social Security numbers, USCIS receipt numbers and Slack user mentions become fixed
tokens. Names, addresses and whatever else follows no pattern stay in the text; that is why
question text is kept only when ``QABOT_KEEP_QUESTIONS_DAYS`` asks for it, and only that long.

The patterns lean towards masking: a number that might be an A-number is masked. What must stay
readable for grouping and for the maintainers are the document's own figures: dates, years,
section numbers such as 287(g), question numbers, executive order numbers and money amounts.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
A_NUMBER = "[A-number]"
SSN = "[SSN]"
RECEIPT = "[receipt]"
USER = "[user]"

# Not inside a word, an amount, a decimal, a date or a longer number.
_START = r"(?<![\w$€£+.,/#-])"
_END = r"(?![\w]|[.,/-]?[0-9])"

_SLACK_USER = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_MAILTO = re.compile(r"<mailto:[^>]*>", re.IGNORECASE)
_SLACK_TEL = re.compile(r"<tel:[^>]*>", re.IGNORECASE)

_EMAIL = re.compile(
    r"""
    [\w.!#$%&'*+/=?^`{|}~-]+
    (?: @ | \s*[\[(]\s*at\s*[\])]\s* )               # jane@ or "jane (at) "
    [\w-]+
    (?: (?: \. | \s*[\[(]\s*dot\s*[\])]\s* ) [\w-]+ )+
    """,
    re.VERBOSE | re.IGNORECASE,
)

# USCIS receipt numbers: three letters for the office, ten digits (EAC2190012345,
# EAC-21-900-12345).
_RECEIPT = re.compile(
    r"(?<![\w-])[A-Za-z]{3}[\s-]?(?:[0-9]{10}|[0-9]{2}[\s-][0-9]{3}[\s-][0-9]{5})" + _END
)
# Eight or nine digits, together or in groups as they are written: 123456789, 123-456-789,
# 12 345 678. Not 2017 2018.
_ID_DIGITS = r"(?:[0-9]{8,9}|[0-9]{2,3}(?P<sep>[\s-])[0-9]{3}(?P=sep)[0-9]{3})"

_A_NUMBER = re.compile(
    _START
    + r"""
    (?:
        (?i:alien(?:\s+registration)?|a)[\s-]*(?i:number|num|no|nr)\b\.?[\s#:.-]*
      | (?i:a)\s*\#[\s:-]*                            # A# 12345678
      | A[\s-]?                                       # A123456789, A-123-456-789, A 12345678
      | a-?                                           # a123456789
    )
    """
    + _ID_DIGITS
    + _END,
    re.VERBOSE,
)

_SSN = re.compile(_START + r"[0-9]{3}([\s-])[0-9]{2}\1[0-9]{4}" + _END)

# North American numbers: 202-555-0123, (202) 555-0123, 202.555.0123, +1 202 555 0123.
_US_PHONE = re.compile(
    _START
    + r"""
    (?:\+?1[\s.-]?)?
    (?:\([0-9]{3}\)\s?|[0-9]{3}[\s.-]?)
    [0-9]{3}[\s.-]?[0-9]{4}
    """
    + _END,
    re.VERBOSE,
)

# International numbers after + or 00: +44 20 7946 0958, +52 (55) 1234-5678, 0033 1 23 45 67 89.
_INTERNATIONAL_PHONE = re.compile(
    _START + r"(?:\+|\b00)[1-9][0-9]{0,2}(?:[\s.-]?(?:\([0-9]{1,4}\)|[0-9]{1,4})){2,6}" + _END
)
_PHONE_DIGITS = range(8, 16)  # E.164 allows up to 15 digits with the country code

# A bare number of eight or nine digits is an A-number (or a Social Security number) when the
# question says so: "my A-number is 123456789".
_A_NUMBER_CUE = re.compile(
    r"\b(?:a[\s-]?(?:number|num|no|nr)\b|a\s*#|alien\s+(?:registration\s+)?(?:number|no)\b)",
    re.IGNORECASE,
)
_SSN_CUE = re.compile(r"\b(?:ssn|social\s+security)\b", re.IGNORECASE)
_BARE_ID = re.compile(_START + _ID_DIGITS + _END)


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0).removeprefix("00"))
    return PHONE if digits in _PHONE_DIGITS else match.group(0)


def mask(text: str) -> str:
    """``text`` with every e-mail address, phone number, A-number, Social Security number,
    receipt number and user mention replaced by its token; the rest unchanged."""
    text = _SLACK_USER.sub(USER, text)
    text = _SLACK_MAILTO.sub(EMAIL, text)
    text = _SLACK_TEL.sub(PHONE, text)
    text = _EMAIL.sub(EMAIL, text)
    text = _RECEIPT.sub(RECEIPT, text)
    text = _A_NUMBER.sub(A_NUMBER, text)
    text = _SSN.sub(SSN, text)
    text = _INTERNATIONAL_PHONE.sub(_phone, text)
    text = _US_PHONE.sub(PHONE, text)
    if _A_NUMBER_CUE.search(text):
        text = _BARE_ID.sub(A_NUMBER, text)
    elif _SSN_CUE.search(text):
        text = _BARE_ID.sub(SSN, text)
    return text
