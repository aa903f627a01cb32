"""Pages of quality: the findings of the reply checks and their configuration, scorecards and sampling
rules (administrators), reviews, disputes, calibration and reports."""

from django.urls import path

from charter.quality import views, views_reports, views_reviews

app_name = "quality"

urlpatterns = [
    path("desk/quality/findings/", views.finding_list, name="finding_list"),
    path("desk/quality/my-findings/", views.my_finding_list, name="my_finding_list"),
    path("desk/quality/checks/", views.check_config, name="check_config"),
    path("desk/quality/checks/rules/new/", views.phrase_rule_edit, name="phrase_rule_create"),
    path("desk/quality/checks/rules/<int:pk>/", views.phrase_rule_edit, name="phrase_rule_edit"),
    path("desk/quality/checks/<str:check_code>/", views.check_setting_edit, name="check_setting_edit"),
    path("desk/quality/scorecards/", views_reviews.scorecard_list, name="scorecard_list"),
    path(
        "desk/quality/scorecards/versions/<int:pk>/",
        views_reviews.scorecard_version,
        name="scorecard_version",
    ),
    path(
        "desk/quality/scorecards/versions/<int:version_pk>/criteria/new/",
        views_reviews.criterion_edit,
        name="criterion_create",
    ),
    path(
        "desk/quality/scorecards/versions/<int:version_pk>/criteria/<int:pk>/",
        views_reviews.criterion_edit,
        name="criterion_edit",
    ),
    path("desk/quality/sampling/", views_reviews.sampling_rule_index, name="sampling_rule_list"),
    path("desk/quality/sampling/new/", views_reviews.sampling_rule_edit, name="sampling_rule_create"),
    path("desk/quality/sampling/<int:pk>/", views_reviews.sampling_rule_edit, name="sampling_rule_edit"),
    path("desk/quality/reviews/", views_reviews.review_index, name="review_list"),
    path("desk/quality/reviews/queue/", views_reviews.review_queue, name="review_queue"),
    path("desk/quality/reviews/<int:pk>/", views_reviews.review_detail, name="review_detail"),
    path("desk/quality/my-reviews/", views_reviews.my_review_list, name="my_review_list"),
    path("desk/quality/disputes/", views_reviews.dispute_queue, name="dispute_queue"),
    path("desk/quality/calibration/", views_reviews.calibration_list, name="calibration_list"),
    path("desk/quality/calibration/<int:pk>/", views_reviews.calibration_detail, name="calibration_detail"),
    path("desk/quality/reports/", views_reports.report, name="report"),
]
