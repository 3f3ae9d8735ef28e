"""Text normalisation shared by the index and the queries: one function, one result."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_SLACK_LINK = re.compile(r"<(https?://[^|>]*)\|([^>]*)>")
_SLACK_TOKEN = re.compile(r"<[@#!][^>]*>|<https?://[^>]*>")
_EMOJI = re.compile(r":[a-z0-9_+'-]+:")
_SECTION = re.compile(r"\b(\d{3})\s*[-(]?\s*([a-z])\s*\)?(?![a-z])")
_THOUSANDS = re.compile(r"\b(\d{1,3})(?:,(\d{3}))+\b")
_K_SUFFIX = re.compile(r"\b(\d+)k\b")
_ACRONYM_DOTS = re.compile(r"\b((?:[a-z]\.){2,})")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_NON_WORD = re.compile(r"[^\w]+")
# Cheap scans that rule out the costlier patterns above for most texts.
_SECTION_HINT = re.compile(r"\d\d\d[ (-]")
_DOTS_HINT = re.compile(r"[a-z]\.[a-z]\.")
_THOUSANDS_HINT = re.compile(r"\d,\d")
_K_HINT = re.compile(r"\dk")
_DIGIT = re.compile(r"\d")
_ASCII_PUNCT = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})

# Word forms that Snowball leaves apart but people use interchangeably.
_STEM_FIXUPS = {"prioriti": "priorit", "deprioriti": "depriorit", "children": "child"}
# Words Snowball would merge with others of a different meaning: a detainer is a legal request,
# not the act of detaining.
_OWN_STEMS = {
    "detainer": "detainer",
    "detainers": "detainer",
    "legally": "legally",  # "is it legally binding" asks for a legal opinion, not the authority
}

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any anybody anyone are aren as at be been
    being before below between both but by can cannot could couldn did didn do does doesn doing
    don down during each either else ever every few for from further get gets getting go goes
    going got had hadn has hasn have haven having he her here hers herself him himself his
    how i if im i'm in into is isn it its itself just let like ll me might more most must my
    myself need no nor not now of off on once only or other our ours ourselves out own
    please pls re s same shall she should shouldn so some someone something such t than that the
    their theirs them themselves then there these they this those through to too under until
    up us ve very was wasn we were weren what whats when where which while who whom whose why
    will with won would wouldn you your yours yourself yourselves yes yeah ok okay hi hey hello
    thanks thank thx ty cheers lol pls plz also really still just anyway guys folks team y'all
    tell know want wondering question quick q anyone else d m
    people person persons someone somebody thing things stuff way lot lots kind sort name
    include includes including make makes made take takes use used using say says said
    actually exactly basically currently right new news update updates latest info
    information details detail mean means top big anything everything nothing something
    besides literally basically honestly seriously maybe probably kinda sorta gonna wanna
    rn ppl w o b c e f g h j k l n p r u v x z bc tbh imo imho afaik fyi idk iirc btw lmk
    ya yall u ur pls thx asking ask asked wondering curious
    """.split()
)


def normalise(text: str) -> str:
    """Lower-cased, punctuation-free text with Slack markup removed and legal forms unified."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if "<" in text:
        text = _SLACK_LINK.sub(r" \2 ", text)
        text = _SLACK_TOKEN.sub(" ", text)
    text = text.casefold()
    if ":" in text:
        text = _EMOJI.sub(" ", text)
    if "'" in text or "\u2019" in text:
        text = _POSSESSIVE.sub("", text)
    if _DIGIT.search(text):
        text = _numbers(text)
    if "." in text and _DOTS_HINT.search(text):
        text = _ACRONYM_DOTS.sub(lambda m: m.group(1).replace(".", "") + " ", text)
    if text.isascii():
        return " ".join(text.translate(_ASCII_PUNCT).split())
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def _numbers(text: str) -> str:
    if _SECTION_HINT.search(text):
        # "287(g)", "287 g", "287-g" and "287g" all name the same section of the INA.
        text = _SECTION.sub(r"\1\2", text)
    if "," in text and _THOUSANDS_HINT.search(text):
        text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    if "k" in text and _K_HINT.search(text):
        text = _K_SUFFIX.sub(r"\g<1>000", text)
    return text


def words(text: str) -> list[str]:
    """Normalised words, stopwords included (phrases need them)."""
    return normalise(text).split()


_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Snowball stem of one normalised word (memoised: queries repeat the same words)."""
    if word in _OWN_STEMS:
        return _OWN_STEMS[word]
    stemmed = _STEMMER.stemWord(word)
    return _STEM_FIXUPS.get(stemmed, stemmed)


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text``, in order, stopwords dropped."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]
