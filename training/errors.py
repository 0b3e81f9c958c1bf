"""One base for every refusal a service gives a person.

A service that cannot do what was asked raises a subclass of ``ServiceError`` with a ``code``
(stable, for tests, logs and API clients) and a translated ``message`` (shown to the person, in
their language). Views catch ``ServiceError`` and show the message; they never look inside it.

    class CohortError(ServiceError):
        code = "cohort"

    raise CohortError(_("This cohort is full."), code="cohort_full")
"""

from django.utils.encoding import force_str


class ServiceError(Exception):
    """What the person asked for cannot be done; the message says why, translated."""

    code = "refused"

    def __init__(self, message="", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        # Lazy messages are translated when shown, in the language active then.
        return force_str(self.message)
