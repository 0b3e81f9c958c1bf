"""Posts as people write them (Markdown) and as the space shows them: safe HTML.

markdown-it-py renders CommonMark with raw HTML turned off (a `<script>` typed in a post is
shown as text) and images turned off; nh3 (the Rust `ammonia` sanitiser) then keeps only a small
set of tags, links to http, https or mailto addresses, and gives every link
rel="nofollow noopener". No image ever loads from a post: no tracking pixel, no address leaked
to another site. https://markdown-it-py.readthedocs.io/ · https://nh3.readthedocs.io/
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
)
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
# Dropped with everything inside them (the rest keep their text when their tag goes).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})


def _heading_open(renderer, tokens, idx, options, env):
    return "<p><strong>"


def _heading_close(renderer, tokens, idx, options, env):
    return "</strong></p>\n"


def _image_as_link(renderer, tokens, idx, options, env):
    """An image is never shown: it becomes a link to its address, named by its description."""
    token = tokens[idx]
    source = str(token.attrGet("src") or "")
    words = renderer.renderInlineAsText(token.children or [], options, env) or source
    return f'<a href="{escapeHtml(source)}">{escapeHtml(words)}</a>'


# "breaks": a single line break is kept (people write posts line by line, not as paragraphs).
# Headings are not among the tags a post keeps: they become a paragraph in bold.
_renderer = MarkdownIt("commonmark", {"html": False, "breaks": True})
_renderer.add_render_rule("heading_open", _heading_open)
_renderer.add_render_rule("heading_close", _heading_close)
_renderer.add_render_rule("image", _image_as_link)


def _allowed_link(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        address = value.strip()
        return address if address.lower().startswith(ALLOWED_SCHEMES) else None
    return value


def sanitise(html: str) -> str:
    """`html` with only the allowed tags, attributes and link addresses left."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_allowed_link,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def render(source: str) -> SafeString:
    """A post's Markdown as safe HTML."""
    return mark_safe(sanitise(_renderer.render(source or "")))  # noqa: S308 - sanitised just now
