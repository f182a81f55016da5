from enum import StrEnum


class Billing(StrEnum):
    IN_ADVANCE = "in_advance"
    IN_ARREARS = "in_arrears"

    def __str__(self) -> str:
        return str(self.value)
