"""Where sessions are kept, and the two things done to all of them: end a person's, forget expired ones.

On SQLite (one machine) sessions are files under `var/sessions/` (Django's file backend): a session is a
browser's state, not business data, and keeping it in the database made every request that touched it (every
intake: the form's token, the acknowledgement) a second write transaction, queued on the one write lock with
every intake and desk change. Measured on 100,000 cases, gunicorn 2 workers, 8 clients: 121-123 intakes/s with
database sessions, 172-183/s with files. On PostgreSQL they stay in the database, which every web host shares.
`CHARTER_SESSION_STORE` (`db` or `file`) overrides the default (settings).
"""

import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings


def _engine() -> Any:
    return import_module(settings.SESSION_ENGINE)


def sessions_in_files() -> bool:
    return bool(settings.SESSION_ENGINE == "django.contrib.sessions.backends.file")


def session_folder_ensure() -> None:
    """Create the sessions' folder, readable by this user only, when sessions are files."""
    if sessions_in_files():
        Path(str(settings.SESSION_FILE_PATH)).mkdir(mode=0o700, parents=True, exist_ok=True)


def sessions_all() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every stored session's key and data, expired ones included (an undecodable one reads as empty).

    The data are decoded here, not loaded through the session store, which would replace an expired or
    unreadable session with a new one while the sessions are being read."""
    store = _engine().SessionStore()
    if sessions_in_files():
        prefix = settings.SESSION_COOKIE_NAME
        folder = Path(str(settings.SESSION_FILE_PATH))
        if not folder.is_dir():
            return
        for entry in os.scandir(folder):
            if entry.is_file() and entry.name.startswith(prefix):
                try:
                    text = Path(entry.path).read_text(encoding="ascii")
                except (OSError, UnicodeDecodeError):
                    continue  # gone since it was listed, or not a session
                yield entry.name.removeprefix(prefix), store.decode(text)
        return
    from django.contrib.sessions.models import Session

    for key, text in Session.objects.values_list("session_key", "session_data").iterator(chunk_size=500):
        yield key, store.decode(text)


def sessions_end_for_user(user_id: int) -> int:
    """Delete every session signed in as the user `user_id` (his account closed); return how many."""
    ended = 0
    for key, data in list(sessions_all()):
        if str(data.get("_auth_user_id", "")) == str(user_id):
            _engine().SessionStore().delete(session_key=key)
            ended += 1
    return ended


def sessions_clear_expired() -> None:
    """Forget the sessions that have expired (the periodic task; Django's `clearsessions` does the same)."""
    _engine().SessionStore.clear_expired()
