"""Form helpers shared by the apps' HTML views."""

from django import forms

from charter.common.errors import DomainError


def form_add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field when the user sees that field, else above the form
    (an error on a hidden or missing field would be shown nowhere)."""
    field = error.field if error.field in form.fields and not form[error.field].is_hidden else None
    form.add_error(field, forms.ValidationError(str(error.message), code=error.code))
