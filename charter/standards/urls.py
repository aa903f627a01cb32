from django.urls import path
from django.views.generic import TemplateView

app_name = "standards"

urlpatterns = [
    path("standards/", TemplateView.as_view(template_name="404.html"), name="public_promises"),
    path("desk/standards/", TemplateView.as_view(template_name="404.html"), name="desk_list"),
    path(
        "desk/standards/acknowledge/",
        TemplateView.as_view(template_name="404.html"),
        name="my_acknowledgements",
    ),
]
