"""Pages of surveys: answering (public), recovery follow-ups and results (desk)."""

from django.urls import path

from charter.surveys import views

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("desk/surveys/recovery/", views.recovery_list, name="recovery_list"),
    path("desk/surveys/recovery/<int:pk>/", views.recovery_detail, name="recovery_detail"),
]
