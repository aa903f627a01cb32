"""Pages of scorecards under /desk/assessment/ (joined in urls.py): mine, my teams', one scorecard."""

from django.urls import URLPattern, URLResolver, path

from charter.assessment import views_scorecards

urlpatterns: list[URLPattern | URLResolver] = [
    path("desk/assessment/mine/", views_scorecards.my_scorecards, name="my_scorecards"),
    path("desk/assessment/team/", views_scorecards.team_scorecards, name="team_scorecards"),
    path("desk/assessment/scorecards/<int:pk>/", views_scorecards.scorecard_detail, name="scorecard_detail"),
]
