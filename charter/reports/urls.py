from django.urls import path

from charter.reports import views

app_name = "reports"

urlpatterns = [
    path("desk/reports/disclosure/", views.desk_disclosure, name="desk_disclosure"),
]
