from django.urls import path

from charter.reports import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("desk/reports/disclosure/", views.desk_disclosure, name="desk_disclosure"),
    path("desk/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
