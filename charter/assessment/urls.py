"""Pages of assessment under /desk/assessment/: each area's pages in its own module, joined here."""

from django.urls import URLPattern, URLResolver

from charter.assessment import urls_cycles, urls_plans, urls_schemes, urls_scorecards

app_name = "assessment"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += urls_plans.urlpatterns
urlpatterns += urls_schemes.urlpatterns
urlpatterns += urls_scorecards.urlpatterns
urlpatterns += urls_cycles.urlpatterns
