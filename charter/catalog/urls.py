from django.urls import path
from django.views.generic import TemplateView

app_name = "catalog"

urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="home"),
    path("services/", TemplateView.as_view(template_name="base.html"), name="service_list"),
    path("desk/services/", TemplateView.as_view(template_name="base.html"), name="desk_service_list"),
]
