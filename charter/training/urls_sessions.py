"""Pages of training sessions: /desk/training/sessions/…"""

from django.urls import URLPattern, path

from charter.training import views_sessions as views

_session = "desk/training/sessions/<int:session_id>/"

urlpatterns: list[URLPattern] = [
    path("desk/training/sessions/", views.session_list, name="session_list"),
    path("desk/training/sessions/new/", views.session_create_view, name="session_create"),
    path(_session, views.session_detail, name="session_detail"),
    path(_session + "edit/", views.session_edit, name="session_edit"),
    path(_session + "cancel/", views.session_cancel_view, name="session_cancel"),
    path(_session + "enrol/", views.session_enrol_view, name="session_enrol"),
    path(_session + "unenrol/", views.session_unenrol_view, name="session_unenrol"),
    path(_session + "attendance/", views.session_attendance, name="session_attendance"),
    path(_session + "code/", views.session_code_issue, name="session_code_issue"),
    path(_session + "sign-in/", views.session_sign_in_view, name="session_sign_in"),
]
