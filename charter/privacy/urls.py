"""The pages of data-subject requests: the customer's in the portal, privacy staff's in the desk."""

from django.urls import path

from charter.privacy import urls_retention, views

app_name = "privacy"

urlpatterns = [
    path("portal/privacy/", views.portal, name="portal"),
    path("portal/privacy/requests/<str:number>/export/", views.portal_export, name="portal_export"),
    path("portal/privacy/requests/<str:number>/withdraw/", views.portal_withdraw, name="portal_withdraw"),
    path("desk/privacy/requests/", views.request_list, name="request_list"),
    path("desk/privacy/requests/new/", views.request_new, name="request_new"),
    path("desk/privacy/requests/<str:number>/", views.request_detail, name="request_detail"),
    path("desk/privacy/requests/<str:number>/export/", views.request_export, name="request_export"),
    path("desk/privacy/log/", views.personal_data_log_view, name="log"),
]

# Retention schedules and legal holds (views_retention.py).
urlpatterns += urls_retention.urlpatterns
