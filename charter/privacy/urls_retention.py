"""The retention and legal-hold pages of the desk (included by charter/privacy/urls.py, namespace privacy)."""

from django.urls import path

from charter.privacy import views_retention

urlpatterns = [
    path("desk/privacy/retention/", views_retention.retention_overview, name="retention"),
    path("desk/privacy/retention/dry-run/", views_retention.retention_dry_run, name="retention_dry_run"),
    path(
        "desk/privacy/retention/<slug:record_type>/",
        views_retention.retention_schedule_edit,
        name="retention_schedule",
    ),
    path("desk/privacy/holds/", views_retention.hold_list, name="hold_list"),
    path("desk/privacy/holds/new/", views_retention.hold_place, name="hold_place"),
    path("desk/privacy/holds/<int:hold_id>/release/", views_retention.hold_release, name="hold_release"),
]
