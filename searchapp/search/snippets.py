"""Snippets: the passages of a summary that show why it matched, with words marked.

Output is HTML-safe: every character of the summary is escaped and only our
own `<mark>` tags are added, so hostile content (`<script>`, a stray
`</mark>`) is shown as text. `to_terminal` renders the same snippet for a
terminal (bold instead of `<mark>`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from whoosh import highlight

from indexer.schema import stemming_analyzer

_analyzer = stemming_analyzer()
_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
ELLIPSIS = "\u2026"


class MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    between = f" {ELLIPSIS} "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=True)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace), quote=True)}</mark>"

    def format(self, fragments: Iterable[Any], replace: bool = False) -> str:
        fragments = list(fragments)
        if not fragments:
            return ""
        text = " … ".join(self.format_fragment(f, replace).strip() for f in fragments)
        before = ELLIPSIS if fragments[0].startchar > 0 else ""
        after = ELLIPSIS if fragments[-1].endchar < len(fragments[-1].text) else ""
        return f"{before}{text}{after}"


def mark(text: str, terms: Iterable[str], *, max_chars: int = 180, fragments: int = 2) -> str:
    """The best passages of `text` with `terms` (index terms) marked; "" when none match."""
    termset = frozenset(terms)
    if not text or not termset:
        return ""
    fragmenter = highlight.ContextFragmenter(maxchars=max_chars, surround=60)
    result: str = highlight.highlight(text, termset, _analyzer, fragmenter, MarkFormatter(),
                                      top=fragments)
    return result


def mark_all(text: str, terms: Iterable[str]) -> str:
    """All of a short text (a title) with every matching word marked."""
    termset = frozenset(terms)
    if not text or not termset:
        return html.escape(text, quote=True)
    marked: str = highlight.highlight(text, termset, _analyzer, highlight.WholeFragmenter(),
                                      MarkFormatter(), top=1)
    return marked or html.escape(text, quote=True)


def lead(text: str, max_chars: int = 240) -> str:
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
