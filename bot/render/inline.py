"""Inline Markdown of official answers: links, emphasis, code, and the HTML tags answers use.

Emphasis follows CommonMark's delimiter rules (a ``*`` or ``_`` opens only where it leans on a
word and closes only against a matching opener), so a lone ``*`` or a ``snake_case`` word stays
literal. Links become links only to web and mail addresses; any other target (a path relative to
a site we do not know) leaves its text, unlinked.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass, replace

from bot.render.emphasis import Delimiter, delimiter, match

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>", re.I)
_ANCHOR = re.compile(
    r"""<a\s[^<>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+))[^<>]*>(.*?)</a\s*>""",
    re.I | re.S,
)
# The inline tags official answers use; any other tag-like text stays literal.
_TAG = re.compile(
    r"<(/?)(strong|b|em|i|s|del|strike|code|u|span|font|sup|sub|small|abbr|br)\b[^<>]*?/?>",
    re.I,
)
# The Slack text style each HTML tag stands for; the HTML reader uses it too.
TAG_STYLE = {
    "strong": "bold",
    "b": "bold",
    "em": "italic",
    "i": "italic",
    "s": "strike",
    "del": "strike",
    "strike": "strike",
    "code": "code",
}
_BARE_URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"]+", re.I)
_LINKABLE = re.compile(r"^(?:https?://[^\s/?#]+|mailto:[^\s@]+@)[^\s]*$", re.I)


@dataclass(frozen=True, slots=True)
class Span:
    """A run of shown text in one style; a link when ``url`` is set."""

    text: str
    url: str | None = None
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False


def linkable(url: str) -> bool:
    """Only web and mail addresses become links."""
    return _LINKABLE.match(url) is not None


def parse(text: str) -> tuple[Span, ...]:
    """The spans of one paragraph of Markdown (with inline HTML)."""
    tokens = _scan(text.strip())
    match([t for t in tokens if isinstance(t, Delimiter)])
    return tuple(_spans(tokens))


def linkify(text: str) -> tuple[Span, ...]:
    """Plain text as it is, its bare web addresses made links (their text unchanged)."""
    spans: list[Span] = []
    last = 0
    for m in _BARE_URL.finditer(text):
        start, url = m.start(), _trim_url(m.group())
        if (start and not (text[start - 1].isspace() or text[start - 1] in "(“\"'")) or not (
            linkable(url)
        ):
            continue
        if start > last:
            spans.append(Span(text[last:start]))
        spans.append(Span(url, url=url))
        last = start + len(url)
    if last < len(text):
        spans.append(Span(text[last:]))
    return tuple(spans)


def bolder(spans: tuple[Span, ...]) -> list[Span]:
    return [replace(span, bold=True) for span in spans]


# -- tokens ------------------------------------------------------------------------------------


@dataclass
class _Style:
    style: str
    opening: bool


@dataclass
class _Link:
    url: str
    spans: tuple[Span, ...]


_Token = str | Delimiter | _Style | _Link | Span


def _scan(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            tokens.append("".join(buf))
            buf.clear()

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in _ASCII_PUNCTUATION:
            buf.append(text[i + 1])
            i += 2
        elif c == "\\" and i + 1 < n and text[i + 1] == "\n":
            _hard_break(buf)
            i = _skip_spaces(text, i + 2)
        elif c == "`":
            run = _run(text, i, "`")
            end = _closing_backticks(text, i + run, run)
            if end < 0:
                buf.append("`" * run)
                i += run
                continue
            flush()
            code = text[i + run : end].replace("\n", " ")
            if len(code) > 2 and code[0] == code[-1] == " " and code.strip():
                code = code[1:-1]
            tokens.append(Span(code, code=True))
            i = end + run
        elif c == "<" and (m := _AUTOLINK.match(text, i)):
            flush()
            tokens.append(_Link(m.group(1), (Span(m.group(1)),)))
            i = m.end()
        elif c == "<" and (m := _ANCHOR.match(text, i)):
            flush()
            url = html.unescape(next(g for g in m.groups()[:3] if g is not None)).strip()
            tokens.append(_Link(url, parse(m.group(4))))
            i = m.end()
        elif c == "<" and (m := _TAG.match(text, i)):
            name = m.group(2).lower()
            if name == "br":
                _hard_break(buf)
                i = _skip_spaces(text, m.end())
                continue
            flush()
            if name in TAG_STYLE:
                tokens.append(_Style(TAG_STYLE[name], not m.group(1)))
            i = m.end()
        elif c == "&" and (m := _ENTITY.match(text, i)):
            decoded = html.unescape(m.group())
            buf.append(decoded)
            i = m.end()
        elif c in "[!" and (link := _link_at(text, i)):
            flush()
            tokens.append(link[0])
            i = link[1]
        elif c in "*_~":
            run = _run(text, i, c)
            if c == "~" and run != 2:
                buf.append(c * run)
                i += run
                continue
            flush()
            before = text[i - 1] if i else " "
            after = text[i + run] if i + run < n else " "
            tokens.append(delimiter(c, run, before, after))
            i += run
        elif c == "\n":
            # A soft line break shows as a space; two spaces before it make a hard break.
            if "".join(buf).endswith("  "):
                _hard_break(buf)
            else:
                _rstrip(buf)
                buf.append(" ")
            i = _skip_spaces(text, i + 1)
        elif (
            c in "hHmM" and (not i or not text[i - 1].isalnum()) and (m := _BARE_URL.match(text, i))
        ):
            url = _trim_url(m.group())
            if not linkable(url):
                buf.append(c)
                i += 1
                continue
            flush()
            tokens.append(_Link(url, (Span(url),)))
            i += len(url)
        else:
            buf.append(c)
            i += 1
    flush()
    return tokens


def _run(text: str, i: int, char: str) -> int:
    end = i
    while end < len(text) and text[end] == char:
        end += 1
    return end - i


def _closing_backticks(text: str, start: int, run: int) -> int:
    i = start
    while (i := text.find("`" * run, i)) >= 0:
        if _run(text, i, "`") == run:
            return i
        i += _run(text, i, "`")
    return -1


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _rstrip(buf: list[str]) -> None:
    while buf and buf[-1] in (" ", "\t"):
        buf.pop()


def _hard_break(buf: list[str]) -> None:
    _rstrip(buf)
    buf.append("\n")


def _trim_url(url: str) -> str:
    """A bare address ends before trailing punctuation and an unbalanced ``)``."""
    while url:
        last = url[-1]
        if last in ".,:;!?'\"*_~" or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def _link_at(text: str, i: int) -> tuple[_Token, int] | None:
    """``[text](url "title")`` or ``![alt](src)`` at ``i``: the link and where it ends."""
    image = text[i] == "!"
    start = i + 1 if image else i
    if not text.startswith("[", start):
        return None
    close = _closing_bracket(text, start)
    if close < 0 or not text.startswith("(", close + 1):
        return None
    target = _destination(text, close + 2)
    if target is None:
        return None
    url, end = target
    label = parse(text[start + 1 : close])
    if not "".join(s.text for s in label).strip():
        label = (Span(url),)
    if not linkable(url):
        return (_Link("", label), end)
    return (_Link(url, label), end)


def _closing_bracket(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _destination(text: str, i: int) -> tuple[str, int] | None:
    """A link destination and optional title from ``i`` to the closing ``)``."""
    i = _skip_spaces(text, i)
    if text.startswith("<", i):
        end = text.find(">", i)
        if end < 0:
            return None
        url, i = text[i + 1 : end], end + 1
    else:
        depth, start = 0, i
        while i < len(text) and not text[i].isspace():
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        url = text[start:i]
    i = _skip_spaces(text, i)
    if i < len(text) and text[i] in "\"'(":
        closer = ")" if text[i] == "(" else text[i]
        end = text.find(closer, i + 1)
        if end < 0:
            return None
        i = _skip_spaces(text, end + 1)
    if not text.startswith(")", i):
        return None
    url = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", html.unescape(url))
    return url, i + 1


def _spans(tokens: list[_Token]) -> list[Span]:
    depth = {"bold": 0, "italic": 0, "strike": 0, "code": 0}
    out: list[Span] = []

    def emit(span: Span) -> None:
        if not span.text:
            return
        styled = replace(
            span,
            bold=span.bold or depth["bold"] > 0,
            italic=span.italic or depth["italic"] > 0,
            strike=span.strike or depth["strike"] > 0,
            code=span.code or depth["code"] > 0,
        )
        if out and out[-1].url is None and styled.url is None and _same_style(out[-1], styled):
            out[-1] = replace(out[-1], text=out[-1].text + styled.text)
        else:
            out.append(styled)

    for token in tokens:
        if isinstance(token, str):
            emit(Span(token))
        elif isinstance(token, Span):
            emit(token)
        elif isinstance(token, Delimiter):
            for style in token.closes:
                depth[style] = max(0, depth[style] - 1)
            emit(Span(token.char * token.count))
            for style in token.opens:
                depth[style] += 1
        elif isinstance(token, _Style):
            depth[token.style] = max(0, depth[token.style] + (1 if token.opening else -1))
        elif token.url:
            text = "".join(s.text for s in token.spans)
            emit(
                Span(
                    text, url=token.url, bold=bool(token.spans) and all(s.bold for s in token.spans)
                )
            )
        else:
            for span in token.spans:  # a link to somewhere we cannot link: its text, as styled
                emit(span)
    return out


def _same_style(a: Span, b: Span) -> bool:
    return (a.bold, a.italic, a.strike, a.code) == (b.bold, b.italic, b.strike, b.code)
