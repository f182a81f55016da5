from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"
    UPCOMING = "upcoming"
    VOID = "void"

    def __str__(self) -> str:
        return str(self.value)
