from django.urls import path

from charter.sla import views

app_name = "sla"

_calendar = "desk/sla/calendars/<int:calendar_id>/"
_policy = "desk/sla/policies/<int:policy_id>/"

urlpatterns = [
    path("desk/sla/", views.calendar_list, name="calendar_list"),
    path("desk/sla/calendars/new/", views.calendar_create, name="calendar_create"),
    path(_calendar, views.calendar_detail, name="calendar_detail"),
    path(_calendar + "edit/", views.calendar_edit, name="calendar_edit"),
    path(_calendar + "default/", views.calendar_set_default, name="calendar_set_default"),
    path(_calendar + "delete/", views.calendar_delete, name="calendar_delete"),
    path(_calendar + "intervals/new/", views.interval_add, name="interval_add"),
    path(_calendar + "intervals/<int:interval_id>/delete/", views.interval_remove, name="interval_remove"),
    path(_calendar + "week/", views.week_set, name="week_set"),
    path(_calendar + "days/new/", views.day_add, name="day_add"),
    path(_calendar + "days/<int:day_id>/edit/", views.day_edit, name="day_edit"),
    path(_calendar + "days/<int:day_id>/delete/", views.day_delete, name="day_delete"),
    path(_calendar + "import/", views.days_import, name="days_import"),
    path(_calendar + "assign/", views.calendar_assign, name="calendar_assign"),
    path(_calendar + "units/<int:unit_id>/remove/", views.calendar_unassign, name="calendar_unassign"),
    path("desk/sla/policies/", views.policy_list, name="policy_list"),
    path("desk/sla/policies/new/", views.policy_create, name="policy_create"),
    path(_policy, views.policy_detail, name="policy_detail"),
    path(_policy + "edit/", views.policy_edit, name="policy_edit"),
    path(_policy + "move/", views.policy_move, name="policy_move"),
    path(_policy + "delete/", views.policy_delete, name="policy_delete"),
    path(_policy + "targets/new/", views.target_set, name="target_set"),
    path(_policy + "targets/<int:target_id>/delete/", views.target_remove, name="target_remove"),
]
