from django.urls import path

from charter.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("services/<slug:slug>/history/", views.service_history, name="service_history"),
    path("desk/services/", views.desk_service_list, name="desk_service_list"),
    path("desk/services/new/", views.desk_service_create, name="desk_service_create"),
    path("desk/services/<slug:slug>/", views.desk_service_detail, name="desk_service_detail"),
    path("desk/services/<slug:slug>/settings/", views.desk_service_settings, name="desk_service_settings"),
    path(
        "desk/services/<slug:slug>/versions/<int:number>/",
        views.desk_version_detail,
        name="desk_version_detail",
    ),
    path("desk/services/<slug:slug>/draft/new/", views.desk_draft_create, name="desk_draft_create"),
    path("desk/services/<slug:slug>/draft/", views.desk_draft_edit, name="desk_draft_edit"),
    path("desk/services/<slug:slug>/draft/discard/", views.desk_draft_discard, name="desk_draft_discard"),
    path("desk/services/<slug:slug>/draft/publish/", views.desk_draft_publish, name="desk_draft_publish"),
    path("desk/services/<slug:slug>/draft/fees/new/", views.desk_fee_add, name="desk_fee_add"),
    path("desk/services/<slug:slug>/draft/fees/<int:pk>/", views.desk_fee_edit, name="desk_fee_edit"),
    path(
        "desk/services/<slug:slug>/draft/fees/<int:pk>/delete/", views.desk_fee_delete, name="desk_fee_delete"
    ),
    path(
        "desk/services/<slug:slug>/draft/commitments/new/",
        views.desk_commitment_add,
        name="desk_commitment_add",
    ),
    path(
        "desk/services/<slug:slug>/draft/commitments/<int:pk>/",
        views.desk_commitment_edit,
        name="desk_commitment_edit",
    ),
    path(
        "desk/services/<slug:slug>/draft/commitments/<int:pk>/delete/",
        views.desk_commitment_delete,
        name="desk_commitment_delete",
    ),
    path("desk/service-categories/", views.desk_category_list, name="desk_category_list"),
    path("desk/service-categories/new/", views.desk_category_create, name="desk_category_create"),
    path("desk/service-categories/<slug:slug>/", views.desk_category_edit, name="desk_category_edit"),
]
