from enum import StrEnum


class Reason(StrEnum):
    SUBSCRIPTION_CANCEL = "subscription_cancel"
    SUBSCRIPTION_CREATE = "subscription_create"
    SUBSCRIPTION_CYCLE = "subscription_cycle"
    SUBSCRIPTION_UPDATE = "subscription_update"

    def __str__(self) -> str:
        return str(self.value)
