from enum import StrEnum


class VerifyCode(StrEnum):
    FEATURE_NOT_IN_PLAN = "FEATURE_NOT_IN_PLAN"
    KEY_EXPIRED = "KEY_EXPIRED"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    KEY_REVOKED = "KEY_REVOKED"
    NO_SUBSCRIPTION = "NO_SUBSCRIPTION"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"
    RATE_LIMITED = "RATE_LIMITED"
    USAGE_EXCEEDED = "USAGE_EXCEEDED"
    VALID = "VALID"

    def __str__(self) -> str:
        return str(self.value)
