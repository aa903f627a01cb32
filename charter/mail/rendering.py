"""Notification templates: registered by the apps that send them, edited by administrators, per language.

An app registers each template it sends (`template_register`) with a default per language shipped as a
template file whose first line is the subject and the rest the body (plain text). An administrator's
`MailTemplate` row for the same key and language replaces the default. Templates use Django's template
language without HTML escaping (the mail is plain text).
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template import Context, Engine
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.common.errors import DomainError
from charter.mail.errors import ErrorCode
from charter.mail.models import MailTemplate


@dataclasses.dataclass(frozen=True)
class TemplateSpec:
    """One notification: its key, what it is for, the variables it may use, and where its defaults live.

    `default` is a template path with `{language}` in it, e.g. "cases/mail/acknowledged.{language}.txt".
    `example` is a context used to check an administrator's edit and to preview it.
    """

    key: str
    description: str | Promise
    default: str
    variables: Mapping[str, str | Promise]
    example: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


_registry: dict[str, TemplateSpec] = {}
# No loaders: a template cannot include or extend files; plain text, so nothing is HTML-escaped.
_engine = Engine(autoescape=False)


def template_register(spec: TemplateSpec) -> None:
    """Make `spec` known (called from an AppConfig.ready); registering the same key again replaces it."""
    _registry[spec.key] = spec


def template_specs() -> list[TemplateSpec]:
    return sorted(_registry.values(), key=lambda spec: spec.key)


def template_spec(key: str) -> TemplateSpec:
    try:
        return _registry[key]
    except KeyError:
        raise DomainError(_("There is no such template."), code=ErrorCode.UNKNOWN_TEMPLATE) from None


def site_url(path: str) -> str:
    """Return the absolute address of `path` (from reverse()) for an e-mail: CHARTER_SITE_URL before it.

    Mails are rendered by the worker, away from any request, so the address cannot come from one; the
    setting says where people reach this installation (in development, the port `make run` serves on).
    """
    return f"{settings.CHARTER_SITE_URL}{path}"


def language_for(language: str | None) -> str:
    """The template language for a recipient's preference: one of LANGUAGES, Chinese when unknown."""
    if language and language.lower() in {code for code, _name in settings.LANGUAGES}:
        return language.lower()
    if language and language.lower().startswith("en"):
        return "en"
    return settings.LANGUAGE_CODE


def template_default(key: str, language: str) -> tuple[str, str]:
    """The shipped (subject, body) source of `key` in `language`."""
    spec = template_spec(key)
    source: str = get_template(spec.default.format(language=language)).template.source  # type: ignore[attr-defined]
    subject, _newline, body = source.partition("\n")
    return subject.strip(), body.lstrip("\n")


def template_source(key: str, language: str) -> tuple[str, str]:
    """The (subject, body) source in force: the administrator's version, else the shipped default."""
    row = MailTemplate.objects.filter(key=key, language=language).first()
    if row is not None:
        return row.subject, row.body
    return template_default(key, language)


def _render(text: str, context: Mapping[str, Any]) -> str:
    # The Context decides escaping, not the Engine: a Context escapes unless told otherwise, and a customer
    # "O'Brien & <Co>" then arrived as "O&#x27;Brien &amp; &lt;Co&gt;". Pages that show a rendered mail
    # (the preview, the delivery log) escape it themselves.
    return _engine.from_string(text).render(Context(dict(context), autoescape=False))


def template_check(subject: str, body: str, *, key: str) -> None:
    """Raise DomainError (with the field at fault) unless both parts compile and render with the example.

    Rendering errors count as much as syntax errors: a tag or filter can compile and still fail on the
    example's values ({% url %} with a wrong name, a numeric filter on text).
    """
    spec = template_spec(key)
    for field, text in (("subject", subject), ("body", body)):
        try:
            _render(text, spec.example)
        except Exception as error:  # every failure of an administrator's template is refused
            raise DomainError(
                _("The template has an error: %(error)s") % {"error": error},
                code=ErrorCode.INVALID_TEMPLATE,
                field=field,
            ) from error


def _rendered(subject: str, body: str, context: Mapping[str, Any]) -> RenderedMail:
    rendered_subject = " ".join(_render(subject, context).split())
    return RenderedMail(subject=rendered_subject[:500], body=_render(body, context).strip() + "\n")


def template_preview(key: str, subject: str, body: str) -> RenderedMail:
    """Render an unsaved edit of template `key` with its example, as `mail_render` would once it is saved.
    Raises DomainError (with the field at fault) when it does not compile or render."""
    template_check(subject, body, key=key)
    return _rendered(subject, body, template_spec(key).example)


def mail_render(key: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render template `key` for a recipient who reads `language` (falling back to the default language)."""
    language = language_for(language)
    subject, body = template_source(key, language)
    return _rendered(subject, body, context)
