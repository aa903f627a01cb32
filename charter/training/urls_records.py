"""Training record pages: the training home, the matrix, effectiveness and a person's record."""

from django.urls import URLPattern, path

from charter.training import views_records

urlpatterns: list[URLPattern] = [
    path("desk/training/", views_records.home, name="home"),
    path("desk/training/matrix/", views_records.matrix, name="matrix"),
    path("desk/training/effectiveness/", views_records.effectiveness_page, name="effectiveness"),
    path("desk/training/people/<int:person_id>/", views_records.person_record, name="person_record"),
]
