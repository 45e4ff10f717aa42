"""The one exception tree of dmsa-migrate.

Every error the tool raises on purpose is a :class:`DmsaError`. Front ends render
them: the CLI prints ``title: message`` to stderr and exits with ``exit_code``; the TUI
shows a notification or a modal. Foreign exceptions (httpx, OSError, tomllib, pydantic)
are wrapped at the boundary with ``raise ... from exc`` so no traceback reaches a user.

    DmsaError                      exit 2 unless said otherwise
    ├── InputError                 bad file, field, flag or value the user gave (exit 2)
    │   ├── FileFormatError        a file that cannot be parsed or validated (names file:line)
    │   └── SecretReferenceError   a secret reference that is malformed or cannot be resolved
    ├── NotAvailableError          a command that this version does not offer yet (exit 2)
    ├── StorageError               a file could not be written or read (exit 2)
    └── ProcoreError               Procore (or the emulator) failed after retries (exit 3)
        ├── TransportError         no answer: connection refused or dropped, timeout
        ├── PaginationError        a list whose pages cannot be followed or do not add up
        └── ApiError               an HTTP error status, with request, status, Procore message
            ├── BadRequestError        400, 406, 409, 422
            ├── AuthenticationError    401: invalid, expired or revoked token or credentials
            │   └── CredentialsRejectedError  the token endpoint refused the client credentials
            ├── ForbiddenError         403: the principal lacks the permission
            │   └── AppNotConnectedError  403 "App is not connected to this company"
            ├── NotFoundError          404: absent, or not visible to the principal
            ├── RateLimitedError       429 after the retry budget
            └── ServerError            5xx after the retry budget
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_PROCORE = 3


class DmsaError(Exception):
    """Base of every error the tool raises on purpose."""

    title = "Error"
    exit_code = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(DmsaError):
    """The user gave a bad file, flag, field or value."""

    title = "Bad input"


class FileFormatError(InputError):
    """A file could not be parsed or validated; the message names the file and line or field."""

    title = "Invalid file"

    def __init__(self, path: str, detail: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {detail}")
        self.path = str(path)
        self.line = line
        self.detail = detail


class SecretReferenceError(InputError):
    """A secret reference is malformed or cannot be resolved. Never carries the value."""

    title = "Secret reference"


class NotAvailableError(DmsaError):
    """The command exists in the design but this version does not offer it yet."""

    title = "Not yet available"


class StorageError(DmsaError):
    """A file could not be read or written."""

    title = "Storage"


class ProcoreError(DmsaError):
    """Procore (or the emulator standing in for it) failed after retries."""

    title = "Procore"
    exit_code = EXIT_PROCORE


class TransportError(ProcoreError):
    """No HTTP answer: the connection was refused or dropped, or the request timed out."""

    title = "Network"

    def __init__(self, request: str, detail: str) -> None:
        super().__init__(f"{request}: {detail}")
        self.request = request


class PaginationError(ProcoreError):
    """A list's pages cannot be followed (foreign or looping ``Link``) or miss items."""

    title = "Pagination"

    def __init__(self, request: str, detail: str) -> None:
        super().__init__(f"{request}: {detail}")
        self.request = request


class AnswerError(ProcoreError):
    """Procore answered 200 but the body cannot be read: not JSON, nested past any real
    answer, too large, or a list that never ends."""

    title = "Unreadable answer"

    def __init__(self, request: str, detail: str) -> None:
        super().__init__(f"{request}: {detail}")
        self.request = request


class ApiError(ProcoreError):
    """Procore answered with an error status.

    Attributes:
        request: ``METHOD URL`` of the failing request (no secrets: queries never hold any).
        status: the HTTP status code.
        procore_message: the message Procore put in the body, if any.
        company_id: the ``Procore-Company-Id`` the request was sent with, if any.
    """

    title = "Procore API"

    def __init__(
        self,
        request: str,
        status: int,
        procore_message: str | None = None,
        company_id: int | None = None,
    ) -> None:
        text = f"{request} answered {status}"
        if company_id is not None:
            text += f" (company {company_id})"
        if procore_message:
            text += f": {procore_message}"
        super().__init__(text)
        self.request = request
        self.status = status
        self.procore_message = procore_message
        self.company_id = company_id


class BadRequestError(ApiError):
    """400/406/409/422: Procore refused the request as malformed or invalid."""


class AuthenticationError(ApiError):
    """401: the token is missing, invalid, expired or revoked."""

    title = "Authentication"


class CredentialsRejectedError(AuthenticationError):
    """The token endpoint refused the client credentials (sunset, revoked, or wrong)."""


class ForbiddenError(ApiError):
    """403: the principal lacks the permission, or the resource is outside its scope."""

    title = "Permission"


class AppNotConnectedError(ForbiddenError):
    """403 "App is not connected to this company": a company admin disconnected the app."""

    title = "App not connected"


class NotFoundError(ApiError):
    """404: the resource does not exist or the principal may not see it."""

    title = "Not found"


class RateLimitedError(ApiError):
    """429 that outlasted the retry budget."""

    title = "Rate limited"


class ServerError(ApiError):
    """5xx that outlasted the retry budget."""

    title = "Procore server"
