"""The REST API at /api/v1/: each app registers its resources on one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from charter.accounts import api as accounts_api
from charter.assessment import api as assessment_api
from charter.audit import api as audit_api
from charter.cases import api as cases_api
from charter.catalog import api as catalog_api
from charter.conduct import api as conduct_api
from charter.improvement import api as improvement_api
from charter.mail import api as mail_api
from charter.privacy import api as privacy_api
from charter.quality import api as quality_api
from charter.sla import api as sla_api
from charter.standards import api as standards_api
from charter.surveys import api as surveys_api
from charter.training import api as training_api

router = DefaultRouter()
for module in (
    accounts_api,
    audit_api,
    privacy_api,
    standards_api,
    catalog_api,
    sla_api,
    mail_api,
    cases_api,
    surveys_api,
    quality_api,
    conduct_api,
    improvement_api,
    training_api,
    assessment_api,
):
    module.router_register(router)

urlpatterns = [
    path("auth/token/", accounts_api.TokenObtainView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
