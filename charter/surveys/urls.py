"""Pages of surveys: answering (public), recovery follow-ups and results (desk)."""

from django.urls import path

from charter.surveys import views, views_config

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("desk/surveys/recovery/", views.recovery_list, name="recovery_list"),
    path("desk/surveys/recovery/<int:pk>/", views.recovery_detail, name="recovery_detail"),
    path("desk/surveys/reviews/mine/", views.my_reviews, name="my_reviews"),
    path("desk/surveys/config/", views_config.config_list, name="config_list"),
    path("desk/surveys/config/new/", views_config.config_create, name="config_create"),
    path("desk/surveys/config/<int:survey_id>/", views_config.config_detail, name="config_detail"),
    path(
        "desk/surveys/config/<int:survey_id>/draft/", views_config.config_draft_new, name="config_draft_new"
    ),
    path(
        "desk/surveys/config/<int:survey_id>/versions/<int:version_id>/questions/",
        views_config.config_question_add,
        name="config_question_add",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/versions/<int:version_id>/publish/",
        views_config.config_publish,
        name="config_publish",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/questions/<int:question_id>/remove/",
        views_config.config_question_remove,
        name="config_question_remove",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/rules/", views_config.config_rule_list, name="config_rule_list"
    ),
    path(
        "desk/surveys/config/<int:survey_id>/rules/new/",
        views_config.config_rule_create,
        name="config_rule_create",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/rules/<int:rule_id>/",
        views_config.config_rule_edit,
        name="config_rule_edit",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/campaigns/",
        views_config.config_campaign_list,
        name="config_campaign_list",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/campaigns/new/",
        views_config.config_campaign_create,
        name="config_campaign_create",
    ),
    path(
        "desk/surveys/config/<int:survey_id>/campaigns/<int:campaign_id>/",
        views_config.config_campaign_edit,
        name="config_campaign_edit",
    ),
]
