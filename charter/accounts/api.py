"""REST endpoints of accounts: the caller's profile, API tokens, customers (masked) and reveals."""

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from charter.accounts.errors import ErrorCode
from charter.accounts.models import ApiToken, Customer, User
from charter.accounts.permissions import can_record_customer, is_staff_member, requires_second_factor
from charter.accounts.selectors import customer_list_visible_to
from charter.accounts.serializers import (
    ApiTokenOutputSerializer,
    CustomerInputSerializer,
    CustomerOutputSerializer,
    MeSerializer,
    RevealInputSerializer,
    RevealOutputSerializer,
    TokenObtainInputSerializer,
    TokenObtainOutputSerializer,
)
from charter.accounts.services import customer_create, user_preferences_update
from charter.accounts.signin import PathKind, signin_password, signin_succeeded
from charter.accounts.tokens import api_token_create, api_token_list_for, api_token_revoke
from charter.common.api import KnownParametersMixin, list_response
from charter.common.errors import PermissionDeniedError
from charter.common.http import client_ip, int_param
from charter.common.idempotency import idempotent
from charter.common.policy import require
from charter.privacy.services import personal_data_reveal


class LoginRateThrottle(AnonRateThrottle):
    """At most settings' `login` rate of token requests per client address (`client_ip`: the header a
    deployment's proxy sets, never a client-set X-Forwarded-For)."""

    scope = "login"

    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)


class TokenObtainView(KnownParametersMixin, APIView):
    """Exchange a username and password for a new named API token with an expiry; its secret is in this
    answer only. The sign-in goes through the same lockout and audit as the desk's; someone who must use a
    second factor (`requires_second_factor`) is refused (403 `account_second_factor_required`) and makes
    tokens on his tokens page instead."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={
            200: TokenObtainOutputSerializer,
            400: OpenApiResponse(description="`account_signin_failed` or bad input."),
            403: OpenApiResponse(
                description="`account_second_factor_required`: make tokens on /accounts/tokens/."
            ),
            429: OpenApiResponse(description="`account_login_throttled`: too many failures."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signin_password(
            request=request._request,
            username=data["username"],
            password=data["password"],
            path_kind=PathKind.API_TOKEN,
        )
        if settings.CHARTER_SECOND_FACTOR_REQUIRED and requires_second_factor(user):
            # A password alone must not open the API to someone who may not use the desk without his
            # second factor: he makes tokens on his tokens page, signed in with both.
            raise PermissionDeniedError(
                _("Your account needs its second factor: sign in and make tokens on your API tokens page."),
                code=ErrorCode.SECOND_FACTOR_REQUIRED,
            )
        signin_succeeded(request=request._request, user=user, path_kind=PathKind.API_TOKEN)
        token, secret = api_token_create(
            user=user, name=data["name"], expires_in_days=data["expires_in_days"]
        )
        response = Response({"token": secret, "name": token.name, "expires_at": token.expires_at})
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenViewSet(KnownParametersMixin, mixins.ListModelMixin, viewsets.GenericViewSet[ApiToken]):
    """The caller's own API tokens (never their secrets); DELETE revokes one."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenOutputSerializer
    queryset = ApiToken.objects.none()  # the schema generator's view of the model; requests use get_queryset

    def get_queryset(self) -> QuerySet[ApiToken]:
        user = self.request.user
        return api_token_list_for(user=user) if isinstance(user, User) else ApiToken.objects.none()

    def list(self, request: Request) -> Response:
        return list_response(self, self.get_queryset(), ApiTokenOutputSerializer)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Revoke one of the caller's tokens (another user's answers 404); revoking twice is no error."""
        token = get_object_or_404(self.get_queryset(), pk=int_param(pk))
        api_token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(KnownParametersMixin, APIView):
    """The caller's own profile; PATCH changes his language and time zone."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 (IsAuthenticated)
        return Response(MeSerializer(user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 (IsAuthenticated)
        serializer = MeSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user_preferences_update(
            user=user,
            language=serializer.validated_data.get("language"),
            time_zone=serializer.validated_data.get("time_zone"),
        )
        return Response(MeSerializer(user).data)


class IsStaffMember(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return is_staff_member(request.user)


class CustomerViewSet(
    KnownParametersMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Customer]
):
    """Customers, personal data masked. Staff only; creating needs accounts.add_customer."""

    permission_classes = [permissions.IsAuthenticated, IsStaffMember]
    serializer_class = CustomerOutputSerializer

    queryset = Customer.objects.none()  # the schema generator's view of the model; requests use get_queryset

    def get_queryset(self) -> QuerySet[Customer]:
        user = self.request.user
        return customer_list_visible_to(user=user) if isinstance(user, User) else Customer.objects.none()

    @extend_schema(request=CustomerInputSerializer, responses={201: CustomerOutputSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        require(can_record_customer(request.user))
        serializer = CustomerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = customer_create(
            actor=request.user,
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            id_number=data["id_number"],
            language=data["language"],
        )
        return Response(CustomerOutputSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevealInputSerializer, responses=RevealOutputSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """Show one personal-data field unmasked; needs privacy.reveal_personal_data and a reason."""
        customer = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = RevealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = personal_data_reveal(
            user=request.user,
            obj=customer,
            field=serializer.validated_data["field"],
            reason=serializer.validated_data["reason"],
            request=request._request,
        )
        return Response({"field": serializer.validated_data["field"], "value": value})


def router_register(router: BaseRouter) -> None:
    router.register("auth/tokens", ApiTokenViewSet, basename="api-token-own")
    router.register("customers", CustomerViewSet, basename="customer")
