"""Snippets: the passages of a summary that show why it matched, with words marked.

A word is marked when its index term is one of the query's (so "spreading"
is marked for "spread"), and a phrase is marked when it names a concept the
query was expanded to ("spinal metastasis" for "cancer spread to spine"),
found by the concept matcher. The best one or two sentences (most distinct
marks) are shown, cut around the marks.

Output is HTML-safe: every character of the summary is escaped and only our
own `<mark>` tags are added, so hostile content (`<script>`, a stray
`</mark>`) is shown as text. `to_terminal` renders a snippet for a terminal.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence

from synonyms import Matcher
from synonyms.matcher import Prepared

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
ELLIPSIS = "\u2026"

Span = tuple[int, int, str]  # start, end, what it stands for (a term or a concept id)


def spans(prepared: Prepared, terms: Collection[str], matcher: Matcher,
          concepts: Collection[str] = ()) -> list[Span]:
    """Marked places of a text: words whose index term is in `terms`, and mentions of
    `concepts`; overlaps resolved in favour of the longer place."""
    found: list[Span] = [(s, e, stem) for s, e, stem in prepared.stems() if stem in terms]
    if concepts:
        found.extend((m.start, m.end, m.concept.id) for m in matcher.find_prepared(prepared)
                     if m.concept.id in concepts)
    return merge(found)


def render(text: str, marks: Sequence[Span], start: int = 0, end: int | None = None) -> str:
    """text[start:end], escaped, with <mark> around the marks inside it."""
    end = len(text) if end is None else end
    out, position = [], start
    for s, e, _ in marks:
        if s < start or s >= end:
            continue
        e = min(e, end)
        out.append(html.escape(text[position:s], quote=True))
        out.append(f"<mark>{html.escape(text[s:e], quote=True)}</mark>")
        position = e
    out.append(html.escape(text[position:end], quote=True))
    return "".join(out)


def snippet(prepared: Prepared, terms: Collection[str], matcher: Matcher,
            concepts: Collection[str] = (), max_chars: int = 220) -> str:
    """The best one or two sentences of a text for the query, marked; "" when nothing matches."""
    return passage(prepared.text, spans(prepared, terms, matcher, concepts), max_chars)


def merge(found: list[Span]) -> list[Span]:
    """Marks in text order, overlaps resolved in favour of the longer place."""
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[Span] = []
    for span in found:
        if merged and span[0] < merged[-1][1]:
            continue
        merged.append(span)
    return merged


def passage(text: str, marks: Sequence[Span], max_chars: int = 220) -> str:
    """The best one or two sentences of `text` by its `marks` (from `spans`), marked."""
    if not marks:
        return ""
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    scored = []
    for index, (s, e) in enumerate(sentences):
        # A mark belongs to the sentence it starts in: a matched phrase may run on
        # past a full stop ("... period. When ..."); it is marked as far as it goes.
        inside = [m for m in marks if s <= m[0] < e]
        if inside:
            scored.append((-len({m[2] for m in inside}), -len(inside), index))
    chosen = sorted(index for _, _, index in sorted(scored)[:2])
    budget = max_chars if len(chosen) == 1 else max_chars // 2
    parts = [_window(text, sentences[i], marks, budget) for i in chosen]
    joined = parts[0]
    for part in parts[1:]:
        # One ellipsis between passages, whether or not they were cut there.
        joined = f"{joined.rstrip(ELLIPSIS)} {ELLIPSIS} {part.lstrip(ELLIPSIS)}"
    return joined


def _window(text: str, sentence: tuple[int, int], marks: Sequence[Span], budget: int) -> str:
    s, e = sentence
    while s < e and text[s].isspace():
        s += 1
    inside = [m for m in marks if s <= m[0] < e]
    if e - s > budget:
        # Centre the window on the first mark, at word boundaries.
        first = inside[0][0]
        start = max(s, first - budget // 3)
        if start > s:
            start = text.find(" ", start) + 1 or start
        stop = min(e, start + budget)
        if stop < e:
            stop = text.rfind(" ", start, stop) if text.rfind(" ", start, stop) > start else stop
        prefix = ELLIPSIS if start > s else ""
        suffix = ELLIPSIS if stop < e else ""
        return prefix + render(text, marks, start, stop).strip() + suffix
    return render(text, marks, s, e).strip()


def lead(text: str, max_chars: int = 220) -> str:
    """The opening of `text`, escaped, cut at a word boundary."""
    if len(text) <= max_chars:
        return html.escape(text, quote=True)
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return html.escape(cut, quote=True) + ELLIPSIS


def to_terminal(snippet_html: str, bold: tuple[str, str] = ("\x1b[1m", "\x1b[0m")) -> str:
    """An HTML snippet for a terminal: marks become bold, entities plain characters."""
    parts = []
    position = 0
    for match in _MARK.finditer(snippet_html):
        parts.append(html.unescape(snippet_html[position:match.start()]))
        parts.append(bold[0] + html.unescape(match.group(1)) + bold[1])
        position = match.end()
    parts.append(html.unescape(snippet_html[position:]))
    return "".join(parts)
