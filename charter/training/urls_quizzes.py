"""Pages of quizzes and question banks under /desk/training/ (joined in urls.py)."""

from django.urls import URLPattern, URLResolver, path

from charter.training import views_banks, views_quizzes

urlpatterns: list[URLPattern | URLResolver] = [
    path("desk/training/quizzes/<int:pk>/", views_quizzes.quiz_start, name="quiz_start"),
    path("desk/training/quizzes/<int:pk>/statistics/", views_quizzes.quiz_statistics, name="quiz_statistics"),
    path("desk/training/attempts/<int:pk>/", views_quizzes.attempt_page, name="attempt"),
    path("desk/training/attempts/<int:pk>/submit/", views_quizzes.attempt_submit_page, name="attempt_submit"),
    path("desk/training/attempts/<int:pk>/result/", views_quizzes.attempt_result, name="attempt_result"),
    path("desk/training/attempts/<int:pk>/grade/", views_quizzes.attempt_grade_page, name="attempt_grade"),
    path("desk/training/grading/", views_quizzes.grading_list, name="grading_list"),
    path("desk/training/banks/", views_banks.bank_list, name="bank_list"),
    path("desk/training/banks/<int:pk>/", views_banks.bank_detail, name="bank_detail"),
    path("desk/training/banks/<int:pk>/questions/add/", views_banks.question_add, name="question_add"),
    path("desk/training/banks/<int:pk>/statistics/", views_quizzes.bank_statistics, name="bank_statistics"),
    path("desk/training/categories/<int:pk>/", views_banks.category_edit, name="category_edit"),
    path("desk/training/questions/<int:pk>/", views_banks.question_detail, name="question_detail"),
    path("desk/training/versions/<int:pk>/quiz/", views_banks.quiz_configure_page, name="quiz_configure"),
]
