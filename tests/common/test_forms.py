"""A service's refusal shown on a form (charter.common.forms)."""

from django import forms

from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error


class _Form(forms.Form):
    title = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_a_refusal_goes_on_its_visible_field_else_above_the_form() -> None:
    form = _Form({"title": "x", "version": "1"})
    assert form.is_valid()

    form_add_domain_error(form, DomainError("标题太长", code="too_long", field="title"))
    form_add_domain_error(form, DomainError("版本已变", code="conflict", field="version"))
    form_add_domain_error(form, DomainError("无此字段", code="invalid_field", field="unknown"))

    assert form.has_error("title", "too_long")
    assert form.non_field_errors() == ["版本已变", "无此字段"]  # a hidden field shows no errors
