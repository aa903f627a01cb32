"""Assignment pages: ordering a course for a group, one group's assignment, waiving an assignment."""

from django.urls import URLPattern, path

from charter.training import views_assignments

urlpatterns: list[URLPattern] = [
    path("desk/training/assign/", views_assignments.batch_order, name="batch_order"),
    path("desk/training/assign/<int:pk>/", views_assignments.batch_detail, name="batch_detail"),
    path(
        "desk/training/assignments/<int:pk>/waive/",
        views_assignments.assignment_waive_page,
        name="assignment_waive",
    ),
]
