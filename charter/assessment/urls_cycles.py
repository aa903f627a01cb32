"""Pages of assessment cycles under /desk/assessment/: the home, cycles, calibration, rankings and appeals
(joined in urls.py)."""

from django.urls import URLPattern, URLResolver, path

from charter.assessment import views_cycles

urlpatterns: list[URLPattern | URLResolver] = [
    path("desk/assessment/", views_cycles.home, name="home"),
    path("desk/assessment/cycles/", views_cycles.cycle_list, name="cycle_list"),
    path("desk/assessment/cycles/new/", views_cycles.cycle_open, name="cycle_open"),
    path("desk/assessment/cycles/<int:pk>/", views_cycles.cycle_detail, name="cycle_detail"),
    path("desk/assessment/cycles/<int:pk>/calibration/", views_cycles.calibration, name="calibration"),
    path("desk/assessment/cycles/<int:pk>/rankings/", views_cycles.rankings, name="rankings"),
    path("desk/assessment/appeals/", views_cycles.appeal_list, name="appeal_list"),
    path("desk/assessment/appeals/<int:pk>/", views_cycles.appeal_detail, name="appeal_detail"),
]
