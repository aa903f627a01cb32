"""Template filters of the cases pages."""

from django import template

from charter.mail.parsing import reply_split

register = template.Library()


@register.filter
def reply_parts(text: str) -> tuple[str, str]:
    """`{% with parts=message.body|reply_parts %}`: (the new text, the quoted history) of a message, so the
    page can fold the history of an e-mail reply away."""
    return reply_split(text or "")
