from django.contrib.auth import views as auth_views
from django.urls import path

from charter.accounts import views, views_tokens, views_twofactor

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", views_twofactor.signin_code, name="signin_code"),
    path("accounts/2fa/", views_twofactor.twofactor, name="twofactor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("accounts/preferences/", views.preferences, name="preferences"),
    path("accounts/tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("accounts/home/", views.home, name="home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("desk/", views.desk, name="desk"),
    path("desk/customers/", views.customer_list, name="customer_list"),
    path("desk/customers/<int:pk>/", views.customer_detail, name="customer_detail"),
]
