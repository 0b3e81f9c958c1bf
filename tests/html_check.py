"""HTML written in Python (training.html) must be well formed: every element closed, in order."""

from html.parser import HTMLParser

VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def assert_balanced(html) -> None:
    parser = _Balance()
    parser.feed(str(html))
    parser.close()
    assert not parser.errors and not parser.open, (parser.errors, parser.open, str(html))
