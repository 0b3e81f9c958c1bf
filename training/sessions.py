"""A person's sessions: Django keeps no column naming whose a session is, so each is decoded.
Used to sign a person out everywhere (account deletion) and to count their sessions (their data).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_keys(person, *, active_only: bool) -> list[str]:
    """The keys of the person's sessions. Sessions name nobody in a column: each is decoded."""
    sessions = Session.objects.all()
    if active_only:
        sessions = sessions.filter(expire_date__gt=timezone.now())
    wanted = str(person.pk)
    keys = []
    for session in sessions.iterator(chunk_size=500):
        # Django decodes a corrupt or tampered session as empty: it is nobody's.
        data = session.get_decoded()
        if str(data.get("_auth_user_id", "")) == wanted:
            keys.append(session.session_key)
    return keys


def end_sessions(person) -> int:
    """Sign the person out everywhere: delete each of their sessions (database and cache)."""
    store = _session_store()()
    keys = session_keys(person, active_only=False)
    for key in keys:
        store.delete(key)
    return len(keys)
