"""Pages of the assessment schemes: /desk/assessment/schemes/…"""

from django.urls import URLPattern, path

from charter.assessment import views_schemes as views

_scheme = "desk/assessment/schemes/<int:scheme_id>/"
_version = _scheme + "versions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("desk/assessment/schemes/", views.scheme_list, name="scheme_list"),
    path("desk/assessment/schemes/new/", views.scheme_create_view, name="scheme_create"),
    path(_scheme, views.scheme_detail, name="scheme_detail"),
    path(_scheme + "edit/", views.scheme_edit, name="scheme_edit"),
    path(_scheme + "draft/", views.scheme_draft_create, name="scheme_draft_create"),
    path(_version + "edit/", views.scheme_version_edit, name="scheme_version_edit"),
    path(_version + "publish/", views.scheme_version_publish_view, name="scheme_version_publish"),
    path(_version + "discard/", views.scheme_version_discard, name="scheme_version_discard"),
    path(_version + "acknowledge/", views.scheme_acknowledge_view, name="scheme_acknowledge"),
]
