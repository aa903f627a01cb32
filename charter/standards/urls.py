from django.urls import path

from charter.standards import views

app_name = "standards"

_version = "desk/standards/<int:document_id>/versions/<int:number>/"

urlpatterns = [
    path("standards/", views.public_promises, name="public_promises"),
    path("desk/standards/", views.desk_list, name="desk_list"),
    path("desk/standards/new/", views.document_create, name="document_create"),
    path("desk/standards/acknowledge/", views.my_acknowledgements, name="my_acknowledgements"),
    path("desk/standards/<int:document_id>/", views.document_detail, name="document_detail"),
    path("desk/standards/<int:document_id>/edit/", views.document_edit, name="document_edit"),
    path("desk/standards/<int:document_id>/draft/", views.draft_create, name="draft_create"),
    path(
        "desk/standards/<int:document_id>/acknowledgements/",
        views.acknowledgement_report,
        name="acknowledgement_report",
    ),
    path(_version, views.version_detail, name="version_detail"),
    path(_version + "edit/", views.draft_edit, name="draft_edit"),
    path(_version + "discard/", views.draft_discard, name="draft_discard"),
    path(_version + "publish/", views.version_publish, name="version_publish"),
    path(_version + "acknowledge/", views.version_acknowledge, name="version_acknowledge"),
    path(_version + "clauses/new/", views.clause_add, name="clause_add"),
    path(_version + "clauses/<int:clause_id>/edit/", views.clause_edit, name="clause_edit"),
    path(_version + "clauses/<int:clause_id>/delete/", views.clause_delete, name="clause_delete"),
]
