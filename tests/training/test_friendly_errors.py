"""handler500 (training.friendly_errors.server_error): a 503 with Retry-After only when the
database cannot be reached; every other error, of the database or not, the usual 500."""

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection, transaction
from django.test import RequestFactory
from psycopg import errors

from training.friendly_errors import database_unavailable, server_error


def _django_error(driver_error: psycopg.Error) -> DatabaseError:
    """As Django raises it: its own class, `from` the driver's error."""
    try:
        try:
            raise driver_error
        except psycopg.Error as error:
            raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        return wrapped


def _answer(error: BaseException, accept="text/html"):
    request = RequestFactory().get("/", HTTP_ACCEPT=accept)
    try:
        raise error
    except BaseException:
        return server_error(request)


UNAVAILABLE = [
    psycopg.OperationalError("connection failed: Connection refused"),  # no SQLSTATE
    psycopg.OperationalError("consuming input failed: server closed the connection"),
    errors.AdminShutdown("terminating connection due to administrator command"),  # 57P01
    errors.CrashShutdown("terminating connection because of crash of another process"),
    errors.CannotConnectNow("the database system is starting up"),  # 57P03
    errors.TooManyConnections("sorry, too many clients already"),  # 53300
    errors.ConnectionFailure("connection failure"),  # 08006
    errors.ConnectionException("connection exception"),  # 08000
]
PAGE_ERRORS = [
    errors.QueryCanceled("canceling statement due to statement timeout"),  # 57014
    errors.DeadlockDetected("deadlock detected"),
    errors.SerializationFailure("could not serialize access"),
    errors.DiskFull("could not extend file"),
    errors.UniqueViolation("duplicate key value"),
    psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),  # no SQLSTATE
]


@pytest.mark.parametrize("driver_error", UNAVAILABLE, ids=lambda e: type(e).__name__)
def test_a_connection_failure_is_a_503_with_retry_after(driver_error):
    assert database_unavailable(_django_error(driver_error))
    response = _answer(_django_error(driver_error))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    json = _answer(_django_error(driver_error), accept="application/json")
    assert (json.status_code, json.content) == (503, b'{"code": "unavailable"}')


@pytest.mark.parametrize("driver_error", PAGE_ERRORS, ids=lambda e: type(e).__name__)
def test_other_database_errors_are_a_500(driver_error):
    assert not database_unavailable(_django_error(driver_error))
    response = _answer(_django_error(driver_error))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_an_error_raised_while_handling_a_database_error_is_a_500():
    def page():
        try:
            raise _django_error(errors.AdminShutdown("terminating connection"))
        except DatabaseError:
            raise ValueError("a bug in the fallback")  # noqa: B904 - the point of the test

    try:
        page()
    except ValueError as error:
        raised = error
    assert isinstance(raised.__context__, OperationalError)
    assert not database_unavailable(raised)
    assert _answer(raised).status_code == 500


def test_an_error_raised_from_a_lost_connection_is_a_503():
    class Unavailable(Exception):
        pass

    try:
        raise Unavailable("no database") from _django_error(psycopg.OperationalError("lost"))
    except Unavailable as error:
        assert _answer(error).status_code == 503


def test_an_error_without_a_database_is_a_500():
    assert _answer(RuntimeError("a bug")).status_code == 500


@pytest.mark.django_db
def test_a_real_statement_timeout_is_a_500_not_an_outage():
    with (
        pytest.raises(OperationalError) as raised,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")
    assert isinstance(raised.value.__cause__, errors.QueryCanceled)
    assert _answer(raised.value).status_code == 500
