"""Masking: personal numbers and addresses go, the document's own figures stay."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feedback.masking import A_NUMBER, EMAIL, PHONE, RECEIPT, SSN, USER, mask

EMAILS = [
    "jane.doe@example.org",
    "J.Doe+visa@mail.example.co.uk",
    "maría.lópez@correo.example.mx",
    "<mailto:jane@example.org|jane@example.org>",
    "jane (at) example (dot) org",
    "jane[at]example[dot]org",
]

PHONES = [
    "(202) 555-0123",
    "202-555-0123",
    "202.555.0123",
    "202 555 0123",
    "2025550123",
    "+1 202 555 0123",
    "+1 (202) 555-0123",
    "1-800-375-5283",
    "+44 20 7946 0958",
    "+52 55 1234 5678",
    "+52 (55) 1234-5678",
    "+33 1 23 45 67 89",
    "0044 20 7946 0958",
    "+91-98765-43210",
    "+4915112345678",
    "<tel:+12025550123|202-555-0123>",
]

A_NUMBERS = [
    "A123456789",
    "A12345678",
    "A-123-456-789",
    "A-12345678",
    "A12-345-678",
    "A 123 456 789",
    "A# 12345678",
    "A#123456789",
    "a123456789",
    "A-number: 123456789",
    "A number 123-456-789",
    "A-Nr. 123456789",
    "alien registration number 012345678",
    "Alien No. 123456789",
]

OTHERS = [
    ("123-45-6789", SSN),
    ("123 45 6789", SSN),
    ("EAC2190012345", RECEIPT),
    ("EAC-21-900-12345", RECEIPT),
    ("<@U024BE7LH>", USER),
    ("<@W0123ABCD|maria>", USER),
]

# The document's own figures and what people write around them: never masked.
KEPT = [
    "Q14",
    "q 14",
    "#14",
    "is Q14 the same as Q15?",
    "287(g)",
    "287g",
    "Section 287(g) of the INA",
    "INA 212(a)(9)(B)",
    "8 U.S.C. 1357(g)",
    "82 FR 8799",
    "AILA Doc. No. 17022130",
    "Executive Order 13768",
    "EO 13993 revoked EO 13768",
    "E.O. 14159",
    "2017",
    "February 21, 2017",
    "2017-02-21",
    "02/21/2017",
    "21.02.2017",
    "2017-2021",
    "from 2017-02-21 to 2021-01-20",
    "2017-02-21 2018-03-04",
    "years 2017 2018 19",
    "Plan A 2017 2018",
    "$1,000,000",
    "$10 million",
    "$1.5 billion",
    "1,500,000,000 dollars",
    "$2025550123",
    "USD 12345678.50",
    "€1.500.000",
    "10 000 000",
    "10,000 agents",
    "10000 agents",
    "10k officers",
    "Form I-589",
    "I-130 and H-1B",
    "9:30 am",
    "45%",
    "ZIP 20528",
    "192.168.100.200",
    "A 3-year bar",
    "a number of detainers in 2017",
    "call 911",
    "entries 1 2 3 4 5 6 7 8 9 10",
]


@pytest.mark.parametrize(
    ("value", "token"),
    [(v, EMAIL) for v in EMAILS]
    + [(v, PHONE) for v in PHONES]
    + [(v, A_NUMBER) for v in A_NUMBERS]
    + OTHERS,
)
def test_masked_in_a_sentence(value: str, token: str) -> None:
    assert mask(f"my details: {value}. what now?") == f"my details: {token}. what now?"
    assert mask(f"({value})") == f"({token})"
    assert mask(value) == token


@pytest.mark.parametrize("text", KEPT)
def test_figures_of_the_document_are_kept(text: str) -> None:
    assert mask(text) == text


def test_a_bare_number_is_masked_when_the_question_names_it() -> None:
    assert mask("my A-number is 123456789") == f"my A-number is {A_NUMBER}"
    assert mask("what is my alien number? it is 123 456 789") == (
        f"what is my alien number? it is {A_NUMBER}"
    )
    assert mask("my SSN is 123456789") == f"my SSN is {SSN}"
    # Without the word, a bare number of that length is left: it may be a document's.
    assert mask("AILA doc 17022130") == "AILA doc 17022130"


def test_everything_in_one_question() -> None:
    text = (
        "I'm <@U024BE7LH>, A-123-456-789, reach me at maria@example.org or +52 55 1234 5678 "
        "about EO 13768 and 287(g) since February 21, 2017; bond was $5,000"
    )
    assert mask(text) == (
        f"I'm {USER}, {A_NUMBER}, reach me at {EMAIL} or {PHONE} "
        "about EO 13768 and 287(g) since February 21, 2017; bond was $5,000"
    )


# -- the same, over generated values -----------------------------------------------------------

digits = st.text("0123456789", min_size=1, max_size=1)


def _number(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


us_phones = st.builds(
    lambda a, b, c, style: style.format(a, b, c),
    _number(3),
    _number(3),
    _number(4),
    st.sampled_from(
        ["{}-{}-{}", "({}) {}-{}", "{}.{}.{}", "{} {} {}", "{}{}{}", "+1 {} {} {}", "1-{}-{}-{}"]
    ),
)
international_phones = st.builds(
    lambda country, groups, prefix, sep: prefix + country + sep + sep.join(groups),
    st.integers(1, 999).map(str),
    st.lists(_number(3), min_size=3, max_size=4),
    st.sampled_from(["+", "00"]),
    st.sampled_from([" ", "-", "."]),
)
a_numbers = st.builds(
    lambda body, style: style.format(body) if len(body) == 9 else "A" + body,
    st.one_of(_number(8), _number(9)),
    st.sampled_from(["A{}", "A-{}", "A# {}", "A {}", "A-number: {}"]),
)
emails = st.builds(
    lambda user, host, tld: f"{user}@{host}.{tld}",
    st.from_regex(r"[a-z][a-z0-9._+-]{0,15}", fullmatch=True),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True),
    st.sampled_from(["org", "com", "gov", "co.uk", "mx"]),
)


@given(st.one_of(us_phones, international_phones), st.sampled_from(["", ".", ",", "?"]))
def test_any_phone_number_is_masked(phone: str, after: str) -> None:
    assert mask(f"call {phone}{after}") == f"call {PHONE}{after}"


@given(a_numbers)
def test_any_a_number_is_masked(value: str) -> None:
    assert mask(f"case {value} pending") == f"case {A_NUMBER} pending"


@given(emails)
def test_any_email_is_masked(value: str) -> None:
    assert mask(f"write to {value} today") == f"write to {EMAIL} today"


dates = st.dates().map(
    lambda d: st.sampled_from(
        [d.isoformat(), f"{d:%m/%d/%Y}", f"{d:%B} {d.day}, {d.year}", f"{d:%d.%m.%Y}"]
    )
)
money = st.integers(0, 10**12).map(
    lambda n: st.sampled_from([f"${n:,}", f"${n}", f"{n:,} dollars", f"${n / 100:,.2f}"])
)
orders = st.integers(10000, 14999).map(lambda n: st.just(f"Executive Order {n}"))
years = st.integers(1900, 2099).map(lambda n: st.just(f"in {n}"))
sections = st.builds(lambda n, c: f"{n}({c})", st.integers(100, 999), st.sampled_from("abcgh"))


@given(st.one_of(dates, money, orders, years).flatmap(lambda s: s) | sections)
def test_dates_amounts_and_orders_are_kept(text: str) -> None:
    assert mask(f"what changed {text}?") == f"what changed {text}?"


@given(st.text(max_size=200))
def test_masking_twice_changes_nothing_more(text: str) -> None:
    once = mask(text)
    assert mask(once) == once


@given(st.lists(st.one_of(us_phones, a_numbers, emails), min_size=1, max_size=4))
def test_no_masked_digits_survive(values: list[str]) -> None:
    masked = mask(" and ".join(values))
    assert not re.search(r"[0-9@]", masked)
