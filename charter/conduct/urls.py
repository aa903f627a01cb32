"""Pages of conduct: violations, their due process, the staff member's record, the ladder and the report."""

from django.urls import path

from charter.conduct import views

app_name = "conduct"

urlpatterns = [
    path("desk/conduct/violations/", views.violation_list, name="violation_list"),
    path("desk/conduct/violations/new/", views.violation_create, name="violation_create"),
    path("desk/conduct/violations/<int:pk>/", views.violation_detail, name="violation_detail"),
    path("desk/conduct/violations/<int:pk>/decide/", views.violation_decide_view, name="violation_decide"),
    path("desk/conduct/violations/<int:pk>/respond/", views.violation_respond_view, name="violation_respond"),
    path("desk/conduct/violations/<int:pk>/approve/", views.violation_approve_view, name="violation_approve"),
    path("desk/conduct/violations/<int:pk>/appeal/", views.violation_appeal_view, name="violation_appeal"),
    path(
        "desk/conduct/violations/<int:pk>/appeal/decide/",
        views.violation_appeal_decide_view,
        name="violation_appeal_decide",
    ),
    path(
        "desk/conduct/violations/<int:pk>/evidence/", views.violation_evidence_view, name="violation_evidence"
    ),
    path("desk/conduct/violations/<int:pk>/files/<int:file_pk>/", views.evidence_file, name="evidence_file"),
    path("desk/conduct/my-record/", views.my_record, name="my_record"),
    path("desk/conduct/ladder/", views.ladder_settings, name="ladder_settings"),
    path("desk/conduct/ladder/steps/<int:pk>/", views.ladder_step_edit, name="ladder_step_edit"),
    path("desk/conduct/reports/", views.report, name="report"),
]
