from typing import Any

from rest_framework import serializers

from charter.accounts.models import ApiToken, Customer, User
from charter.accounts.tokens import api_token_state
from charter.privacy.masking import mask


class MeSerializer(serializers.ModelSerializer[User]):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "language", "time_zone", "roles"]
        read_only_fields = ["id", "username", "display_name", "email", "roles"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.role_names)


class CustomerOutputSerializer(serializers.ModelSerializer[Customer]):
    """A customer with every personal-data field masked; reveal them one at a time, with a reason."""

    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "name", "phone", "email", "id_number", "organisation", "language", "created_at"]

    def get_name(self, customer: Customer) -> str:
        return mask(customer.name, "name")

    def get_phone(self, customer: Customer) -> str:
        return mask(customer.phone, "phone")

    def get_email(self, customer: Customer) -> str:
        return mask(customer.email, "email")

    def get_id_number(self, customer: Customer) -> str:
        return mask(customer.id_number, "id_number")


class CustomerInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    phone = serializers.RegexField(r"^\+?[\d\s-]{5,20}$", required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    id_number = serializers.RegexField(r"^[0-9A-Za-z]{6,30}$", required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["zh-hans", "en"], default="zh-hans")


class RevealInputSerializer(serializers.Serializer[Any]):
    field = serializers.ChoiceField(choices=["name", "phone", "email", "id_number"])
    reason = serializers.CharField(max_length=500)


class RevealOutputSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()

    def to_representation(self, instance: Any) -> Any:
        return instance


class TokenObtainInputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="What the token is for."
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Days until the token expires (default: the site's CHARTER_API_TOKEN_DAYS, 90).",
    )


class TokenObtainOutputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="The secret: shown this once, never stored.")
    name = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class ApiTokenOutputSerializer(serializers.Serializer[Any]):
    """One of the caller's API tokens: never its secret, only its first characters."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    state = serializers.SerializerMethodField(help_text="active, expired or revoked")

    def get_state(self, token: ApiToken) -> str:
        return api_token_state(token)
