"""The project's URLs plus the survey results desk, until the project includes it itself."""

from django.urls import include, path

from charter.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("desk/surveys/results/", include("charter.surveys.urls_results")),
]
