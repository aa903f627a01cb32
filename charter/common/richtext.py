"""Rich text that people write in the desk's editors (a lesson's body), cleaned one way for every app.

`rich_text_clean` keeps the markup a lesson needs (headings, paragraphs, lists, emphasis, quotations, links,
images of this site, tables, code) and drops everything a browser would run or load from elsewhere: scripts
and style sheets with their content, event handlers, `style` attributes, forms, frames, links other than
http(s) and mailto, images other than a path on this site. What it returns is safe to show with `|safe`.

The cleaning is nh3 (ammonia on html5ever). html5ever takes time quadratic in the nesting depth, so markup
nested deeper than MAX_RICH_TEXT_DEPTH is refused before it is parsed (charter/mail/parsing.py reduces such
mail to text instead; a person writing a lesson can be asked to correct it).
"""

import re

import nh3
from django.utils.translation import gettext_lazy as _

from charter.common.errors import DomainError
from charter.common.text import TextCodes, clean_text

# What a lesson may hold: structure, emphasis, lists, quotations, links, images, tables and code.
RICH_TEXT_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span",
        "ul", "ol", "li", "dl", "dt", "dd",
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
        "blockquote", "q", "cite", "code", "pre", "kbd",
        "a", "img",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
    }
)  # fmt: skip
RICH_TEXT_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
# Removed with what they contain, not only their tags.
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "title", "head", "template", "noscript", "textarea", "select", "iframe", "object"}
)
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Elements that never stay open (void) or close themselves when a sibling starts, so they add no depth.
_FLAT_TAGS = frozenset(
    (
        "area base br col embed hr img input link meta param source track wbr "
        "p li dt dd tr td th option thead tbody tfoot colgroup caption"
    ).split()
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
# Far more than any lesson needs; far less than what makes html5ever slow (see the module).
MAX_RICH_TEXT_DEPTH = 100
_CODES = TextCodes(too_long=DomainError.default_code, invalid=DomainError.default_code)


def html_nesting_depth(markup: str) -> int:
    """How deep the elements of `markup` nest, counted from its tags without parsing it: html5ever, under
    nh3, takes time quadratic in the depth, so callers refuse or flatten absurd markup before sanitising it
    (lesson text here, mail bodies in charter.mail.parsing)."""
    depth = deepest = 0
    for closing, tag in _TAG.findall(markup):
        if tag.lower() in _FLAT_TAGS:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _site_path(value: str) -> bool:
    # A path on this site: "/media/…", never "//host/…" (another site) nor "/\host" (which browsers read so).
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    stripped = value.strip()
    lowered = stripped.lower()
    if attribute == "href":
        return stripped if lowered.startswith(_LINK_SCHEMES) else None
    if attribute == "src":
        return stripped if tag == "img" and _site_path(stripped) else None
    return value


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def rich_text_clean(
    value: str,
    *,
    max_length: int | None = None,
    field: str = "body",
    codes: TextCodes = _CODES,
) -> str:
    """Return `value` as safe rich text (see the module for what stays), stripped of surrounding space.

    Refuses (DomainError on `field`, with the caller's `codes`, by default the shared `invalid`) text that
    `clean_text` refuses (a control character; longer than `max_length` characters, counted before
    cleaning) and markup nested deeper than MAX_RICH_TEXT_DEPTH elements. Links keep http, https and
    mailto targets only and get rel="noopener noreferrer"; an image keeps only a source on this site (a path
    starting with "/"), and an image without one is dropped. Writes nothing.
    """
    text = clean_text(value, field=field, codes=codes, max_length=max_length)
    if not text:
        return ""
    if html_nesting_depth(text) > MAX_RICH_TEXT_DEPTH:
        raise DomainError(
            _("The text is nested too deeply (at most %(limit)d levels); simplify its formatting.")
            % {"limit": MAX_RICH_TEXT_DEPTH},
            code=codes.invalid,
            field=field,
        )
    cleaned = nh3.clean(
        text,
        tags=set(RICH_TEXT_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in RICH_TEXT_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
        url_relative="pass_through",
    )
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()
