from django.urls import URLPattern

app_name = "conduct"

urlpatterns: list[URLPattern] = []
