from django.urls import path

from charter.reports import views, views_dashboard, views_monthly

app_name = "reports"

urlpatterns = [
    path("desk/reports/disclosure/", views.desk_disclosure, name="desk_disclosure"),
    path("desk/dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("desk/reports/monthly/", views_monthly.monthly_list, name="monthly_list"),
    path(
        "desk/reports/monthly/<int:pk>/<str:language>.pdf",
        views_monthly.monthly_download,
        name="monthly_download",
    ),
    path("desk/reports/monthly/subscription/", views_monthly.monthly_subscribe, name="monthly_subscribe"),
    path("desk/reports/monthly/generate/", views_monthly.monthly_generate, name="monthly_generate"),
]
