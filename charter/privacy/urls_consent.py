"""The consent pages: the opt-out link of the mails (public) and the portal's change buttons."""

from django.urls import path

from charter.privacy import views_consent

app_name = "consent"

urlpatterns = [
    path("privacy/opt-out/<str:token>/", views_consent.opt_out, name="opt_out"),
    path("portal/privacy/consents/", views_consent.consent_change, name="change"),
]
