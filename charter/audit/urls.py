from django.urls import path

from charter.audit import views

app_name = "audit"

urlpatterns = [path("desk/audit/", views.audit_event_list_view, name="event_list")]
