"""Pages of improvement plans and of the outcome ledger, under /desk/assessment/ (joined in urls.py)."""

from django.urls import URLPattern, URLResolver, path

from charter.assessment import views_ledger, views_plans

urlpatterns: list[URLPattern | URLResolver] = [
    path("desk/assessment/plans/", views_plans.plan_list, name="plan_list"),
    path("desk/assessment/plans/<int:pk>/", views_plans.plan_detail, name="plan_detail"),
    path("desk/assessment/ledger/", views_ledger.ledger, name="ledger"),
    path(
        "desk/assessment/ledger/ledger.csv",
        views_ledger.ledger_download,
        {"extension": "csv"},
        name="ledger_csv",
    ),
    path(
        "desk/assessment/ledger/ledger.xlsx",
        views_ledger.ledger_download,
        {"extension": "xlsx"},
        name="ledger_xlsx",
    ),
]
