"""Pages of courses: /desk/training/courses/…, lessons and their files."""

from django.urls import URLPattern, path

from charter.training import views_courses as views

_course = "desk/training/courses/<int:course_id>/"
_version = _course + "versions/<int:number>/"
_lesson = "desk/training/lessons/<int:lesson_id>/"

urlpatterns: list[URLPattern] = [
    path("desk/training/courses/", views.course_list, name="course_list"),
    path("desk/training/courses/new/", views.course_create_view, name="course_create"),
    path(_course, views.course_detail, name="course_detail"),
    path(_course + "edit/", views.course_edit, name="course_edit"),
    path(_course + "draft/", views.course_draft_create, name="course_draft_create"),
    path(_version + "edit/", views.course_version_edit, name="course_version_edit"),
    path(_version + "publish/", views.course_version_publish_view, name="course_version_publish"),
    path(_version + "discard/", views.course_version_discard, name="course_version_discard"),
    path(_version + "lessons/new/", views.lesson_create_view, name="lesson_create"),
    path(_lesson, views.lesson_detail, name="lesson_detail"),
    path(_lesson + "done/", views.lesson_done, name="lesson_done"),
    path(_lesson + "edit/", views.lesson_edit, name="lesson_edit"),
    path(_lesson + "delete/", views.lesson_delete_view, name="lesson_delete"),
    path(_lesson + "move/", views.lesson_move, name="lesson_move"),
    path(_lesson + "files/", views.lesson_file_upload_view, name="lesson_file_upload"),
    path("desk/training/files/<int:file_id>/", views.lesson_file, name="lesson_file"),
    path(
        "desk/training/files/<int:file_id>/delete/", views.lesson_file_delete_view, name="lesson_file_delete"
    ),
]
