from enum import StrEnum


class LineKind(StrEnum):
    PRORATION = "proration"
    SUBSCRIPTION = "subscription"
    USAGE = "usage"

    def __str__(self) -> str:
        return str(self.value)
