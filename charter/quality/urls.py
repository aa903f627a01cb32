"""Pages of quality: the findings of the reply checks (desk) and their configuration (administrators)."""

from django.urls import path

from charter.quality import views

app_name = "quality"

urlpatterns = [
    path("desk/quality/findings/", views.finding_list, name="finding_list"),
    path("desk/quality/my-findings/", views.my_finding_list, name="my_finding_list"),
    path("desk/quality/checks/", views.check_config, name="check_config"),
    path("desk/quality/checks/rules/new/", views.phrase_rule_edit, name="phrase_rule_create"),
    path("desk/quality/checks/rules/<int:pk>/", views.phrase_rule_edit, name="phrase_rule_edit"),
    path("desk/quality/checks/<str:check_code>/", views.check_setting_edit, name="check_setting_edit"),
]
