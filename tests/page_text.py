"""The text a reader sees on a page, for the tests that read every page's words
(tests/test_words.py, tests/test_translations.py)."""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_TAGS = {"script", "style", "template"}


class _Text(HTMLParser):
    """Text nodes outside script, style and template, in order, one per node."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.nodes.append(" ".join(data.split()))


def visible_nodes(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return parser.nodes
