"""The survey results desk; the project includes it at desk/surveys/results/."""

from django.urls import path

from charter.surveys import views_results

app_name = "survey_results"

urlpatterns = [
    path("", views_results.dashboard, name="dashboard"),
    path("summary.csv", views_results.export_summary, {"extension": "csv"}, name="summary_csv"),
    path("summary.xlsx", views_results.export_summary, {"extension": "xlsx"}, name="summary_xlsx"),
    path("responses.csv", views_results.export_responses, {"extension": "csv"}, name="responses_csv"),
    path("responses.xlsx", views_results.export_responses, {"extension": "xlsx"}, name="responses_xlsx"),
]
