"""Certificate pages: the public verification page (outside /desk/, no sign-in) and the desk's list, PDF
and revoking."""

from django.urls import URLPattern, path

from charter.training import views_certificates

urlpatterns: list[URLPattern] = [
    path("verify/<str:code>/", views_certificates.verify, name="verify"),
    path(
        "desk/training/people/<int:person_id>/certificates/",
        views_certificates.certificate_list,
        name="certificate_list",
    ),
    path(
        "desk/training/certificates/<int:pk>/pdf/",
        views_certificates.certificate_pdf_download,
        name="certificate_pdf",
    ),
    path(
        "desk/training/certificates/<int:pk>/revoke/",
        views_certificates.certificate_revoke_page,
        name="certificate_revoke",
    ),
]
