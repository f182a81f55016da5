from enum import StrEnum


class EventType(StrEnum):
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    CREDIT_NOTE_CREATED = "credit_note.created"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_DELETED = "customer.deleted"
    CUSTOMER_UPDATED = "customer.updated"
    INVOICE_CREATED = "invoice.created"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_PAID = "invoice.paid"
    INVOICE_PAYMENT_FAILED = "invoice.payment_failed"
    INVOICE_UNCOLLECTIBLE = "invoice.uncollectible"
    INVOICE_VOIDED = "invoice.voided"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    SUBSCRIPTION_CANCELED = "subscription.canceled"
    SUBSCRIPTION_CREATED = "subscription.created"
    SUBSCRIPTION_PAST_DUE = "subscription.past_due"
    SUBSCRIPTION_TRIAL_WILL_END = "subscription.trial_will_end"
    SUBSCRIPTION_UPDATED = "subscription.updated"
    USAGE_THRESHOLD_REACHED = "usage.threshold_reached"
    VALUE_20 = "*"

    def __str__(self) -> str:
        return str(self.value)
