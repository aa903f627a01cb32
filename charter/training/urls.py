"""Pages of training under /desk/training/: each area's pages in its own module, joined here."""

from django.urls import URLPattern, URLResolver

from charter.training import (
    urls_assignments,
    urls_certificates,
    urls_courses,
    urls_quizzes,
    urls_records,
    urls_sessions,
)

app_name = "training"

urlpatterns: list[URLPattern | URLResolver] = []
# Each area adds its module here: urls_courses, urls_sessions, urls_assignments, urls_quizzes,
# urls_certificates, urls_records.
urlpatterns += urls_records.urlpatterns
urlpatterns += urls_certificates.urlpatterns
urlpatterns += urls_quizzes.urlpatterns
urlpatterns += urls_courses.urlpatterns
urlpatterns += urls_sessions.urlpatterns
urlpatterns += urls_assignments.urlpatterns
