from django.urls import path

from charter.mail import views

app_name = "mail"

_mailbox = "desk/mail/mailboxes/<int:mailbox_id>/"
_inbound = "desk/mail/inbound/<int:message_id>/"
_outbound = "desk/mail/outbound/<int:message_id>/"
_template = "desk/mail/templates/<str:key>/<str:language>/"
_webhook = "desk/mail/webhooks/<int:endpoint_id>/"

urlpatterns = [
    path("desk/mail/", views.overview, name="overview"),
    path("desk/mail/mailboxes/new/", views.mailbox_create, name="mailbox_create"),
    path(_mailbox, views.mailbox_edit, name="mailbox_edit"),
    path(_mailbox + "check/", views.mailbox_check, name="mailbox_check"),
    path("desk/mail/inbound/", views.inbound_list, name="inbound_list"),
    path(_inbound, views.inbound_detail, name="inbound_detail"),
    path(_inbound + "retry/", views.inbound_message_retry, name="inbound_retry"),
    path(_inbound + "discard/", views.inbound_message_discard, name="inbound_discard"),
    path(_inbound + "raw/", views.inbound_raw, name="inbound_raw"),
    path("desk/mail/outbound/", views.outbound_list, name="outbound_list"),
    path(_outbound, views.outbound_detail, name="outbound_detail"),
    path(_outbound + "retry/", views.outbound_message_retry, name="outbound_retry"),
    path("desk/mail/templates/", views.template_list, name="template_list"),
    path(_template, views.template_edit, name="template_edit"),
    path(_template + "reset/", views.template_reset, name="template_reset"),
    path("desk/mail/webhooks/", views.webhook_list, name="webhook_list"),
    path("desk/mail/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("desk/mail/webhooks/deliveries/", views.delivery_list, name="delivery_list"),
    path(
        "desk/mail/webhooks/deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"
    ),
    path(_webhook, views.webhook_detail, name="webhook_detail"),
    path(_webhook + "edit/", views.webhook_edit, name="webhook_edit"),
]
