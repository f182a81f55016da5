from enum import StrEnum


class ErrorType(StrEnum):
    AUTHENTICATION = "authentication"
    CONFLICT = "conflict"
    INTERNAL = "internal"
    INVALID_REQUEST = "invalid_request"
    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"

    def __str__(self) -> str:
        return str(self.value)
