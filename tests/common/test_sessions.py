"""Where sessions are kept (charter.common.sessions): files on SQLite, the database on PostgreSQL; a person's
sessions end with his account, expired ones are forgotten."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.db import connection

from charter.accounts.models import User
from charter.common.sessions import sessions_all, sessions_clear_expired, sessions_end_for_user
from tests.accounts.factories import UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_sessions_are_files_on_sqlite_and_rows_on_postgresql() -> None:
    expected = "file" if connection.vendor == "sqlite" else "db"
    assert settings.SESSION_ENGINE == f"django.contrib.sessions.backends.{expected}"


def test_a_persons_sessions_end_and_nobody_elses() -> None:
    carol: User = UserFactory.create(username="carol")
    dave: User = UserFactory.create(username="dave")
    phone, laptop, other = client_for(carol), client_for(carol), client_for(dave)
    keys = {
        name: c.cookies[settings.SESSION_COOKIE_NAME].value
        for name, c in [("phone", phone), ("laptop", laptop), ("other", other)]
    }
    assert set(keys.values()) <= set(dict(sessions_all()))

    assert sessions_end_for_user(carol.pk) == 2

    stored = dict(sessions_all())
    assert keys["phone"] not in stored and keys["laptop"] not in stored
    assert stored[keys["other"]]["_auth_user_id"] == str(dave.pk)
    assert phone.get("/desk/").status_code == 302  # signed out: sent to sign in


def test_expired_sessions_are_forgotten() -> None:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    old, current = store_class(), store_class()
    old["note"], current["note"] = "old", "current"
    old.set_expiry(dt.timedelta(seconds=-60))
    old.create()
    old.save()
    current.save()

    sessions_clear_expired()

    stored = dict(sessions_all())
    assert current.session_key in stored and old.session_key not in stored
