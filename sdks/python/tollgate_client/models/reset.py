from enum import StrEnum


class Reset(StrEnum):
    BILLING_PERIOD = "billing_period"
    DAY = "day"
    MONTH = "month"
    NEVER = "never"

    def __str__(self) -> str:
        return str(self.value)
