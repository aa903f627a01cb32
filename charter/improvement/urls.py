"""Pages of improvement: corrective and preventive actions, complaint clusters and the report (desk)."""

from django.urls import path

from charter.improvement import views

app_name = "improvement"

urlpatterns = [
    path("desk/improvement/actions/", views.action_list, name="action_list"),
    path("desk/improvement/actions/new/", views.action_create, name="action_create"),
    path("desk/improvement/actions/checks-due/", views.checks_due, name="checks_due"),
    path("desk/improvement/actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("desk/improvement/actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("desk/improvement/clusters/", views.cluster_list, name="cluster_list"),
    path("desk/improvement/reports/", views.report, name="report"),
]
