"""Assignment pages: ordering a course for a group, waiving an assignment."""

from django.urls import URLPattern, path

from charter.training import views_assignments

urlpatterns: list[URLPattern] = [
    path("desk/training/assign/", views_assignments.batch_order, name="batch_order"),
    path(
        "desk/training/assignments/<int:pk>/waive/",
        views_assignments.assignment_waive_page,
        name="assignment_waive",
    ),
]
