"""Menu links that appear exactly when their page would open (`charter.common.pages`).

`{% navlink "cases:desk_queue" %}{% translate "Cases" %}{% endnavlink %}` renders
`<a href="/desk/cases/">…</a>` (with aria-current="page" on that page) when the signed-in user may open it,
and nothing otherwise. `{% may_open "quality:finding_list" as sees_findings %}` answers the same question
into a variable.
"""

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.urls import reverse
from django.utils.html import format_html

from charter.common.pages import may_open as _may_open

register = template.Library()


def _user(context: Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) if request is not None else context.get("user")


@register.simple_tag(takes_context=True)
def may_open(context: Context, url_name: str, *args: object) -> bool:
    """True when the signed-in user may open the page named `url_name`."""
    return _may_open(_user(context), url_name, *args)


class NavLinkNode(template.Node):
    def __init__(self, url_name: FilterExpression, nodelist: template.NodeList) -> None:
        self.url_name = url_name
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        url_name = str(self.url_name.resolve(context))
        if not _may_open(_user(context), url_name):
            return ""
        href = reverse(url_name)
        request = context.get("request")
        is_current = request is not None and request.path == href
        label = self.nodelist.render(context)
        if is_current:
            return format_html('<a href="{}" aria-current="page">{}</a>', href, label)
        return format_html('<a href="{}">{}</a>', href, label)


@register.tag
def navlink(parser: Parser, token: Token) -> NavLinkNode:
    """`{% navlink "app:url_name" %}label{% endnavlink %}`: a link shown only to those who may open it."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("navlink takes one argument: the URL name.")
    nodelist = parser.parse(("endnavlink",))
    parser.delete_first_token()
    return NavLinkNode(parser.compile_filter(bits[1]), nodelist)
