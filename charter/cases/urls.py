"""HTML pages of cases: public intake, tracking, portal, desk. The API is in api.py."""

from django.urls import path

from charter.cases import views_desk, views_desk_new, views_lookup, views_public, views_routing

app_name = "cases"

urlpatterns = [
    path("cases/new/", views_public.intake, name="intake"),
    path("privacy-notice/", views_public.privacy_notice, name="privacy_notice"),
    path("track/", views_public.track_lookup, name="track_lookup"),
    path("track/<str:token>/", views_public.track, name="track"),
    path("track/<str:token>/files/<int:pk>/", views_public.track_file, name="track_file"),
    path("portal/", views_public.portal, name="portal"),
    path("portal/cases/<str:number>/", views_public.portal_case, name="portal_case"),
    path("portal/cases/<str:number>/files/<int:pk>/", views_public.portal_file, name="portal_file"),
    path("desk/cases/", views_desk.queue, name="desk_queue"),
    path("desk/cases/bulk-assign/", views_desk.bulk_assign, name="desk_bulk_assign"),
    path("desk/cases/supervisor/", views_desk.supervisor, name="desk_supervisor"),
    path("desk/cases/new/", views_desk_new.case_new, name="desk_case_new"),
    path("desk/cases/lookup/", views_lookup.case_lookup, name="desk_case_lookup"),
    path("desk/case-routing/", views_routing.team_routing_list, name="team_routing_list"),
    path("desk/case-routing/<int:team_id>/", views_routing.team_routing, name="team_routing"),
    path("desk/cases/<str:number>/", views_desk.case_detail, name="desk_case"),
    path("desk/cases/<str:number>/files/<int:pk>/", views_desk.case_file, name="desk_file"),
]
