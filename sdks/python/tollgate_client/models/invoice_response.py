from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.currency import Currency
from ..models.invoice_status import InvoiceStatus
from ..models.reason import Reason
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.line_response import LineResponse


T = TypeVar("T", bound="InvoiceResponse")


@_attrs_define
class InvoiceResponse:
    """An invoice: a draft, or finalized (numbered and immutable).

    Attributes:
        customer (str): Identifier, `cus_` followed by 22 base62 characters.
        status (InvoiceStatus): `draft` while the grace period after the period's end runs (late usage lands on it);
            `open` once finalized: numbered and immutable; then `paid`, `void` or `uncollectible`.
            `upcoming` only on the upcoming-invoice preview.
        reason (Reason): Why the invoice exists: a subscription started, a period closed, the plan changed
            immediately, or the subscription was canceled immediately.
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        period_start (datetime.datetime):
        period_end (datetime.datetime):
        lines (list[LineResponse]):
        subtotal (str):
        tax (str):
        total (str):
        credit_applied (str): Credit from earlier invoices (a downgrade's unused time) used on this one.
        amount_due (str):
        id (str): Identifier, `in_` followed by 22 base62 characters.
        created_at (datetime.datetime):
        amount_paid (str): Collected through Stripe so far.
        amount_credited (str): The total of the invoice's credit notes.
        attempt_count (int): Attempts to collect it (a retry after a lost answer is the same attempt).
        subscription (None | str | Unset):
        tax_rate (None | str | Unset): The customer's `tax_rate` (percent) when the invoice was rated.
        number (None | str | Unset): `TEST-000001` / `INV-000001`, gapless per tenant and mode; null while `draft`.
        finalize_at (datetime.datetime | None | Unset): When a draft finalizes by itself.
        issued_at (datetime.datetime | None | Unset):
        due_at (datetime.datetime | None | Unset):
        paid_at (datetime.datetime | None | Unset):
        voided_at (datetime.datetime | None | Unset):
        next_payment_attempt (datetime.datetime | None | Unset): When dunning tries again; null when no attempt is
            scheduled.
    """

    customer: str
    status: InvoiceStatus
    reason: Reason
    currency: Currency
    period_start: datetime.datetime
    period_end: datetime.datetime
    lines: list[LineResponse]
    subtotal: str
    tax: str
    total: str
    credit_applied: str
    amount_due: str
    id: str
    created_at: datetime.datetime
    amount_paid: str
    amount_credited: str
    attempt_count: int
    subscription: None | str | Unset = UNSET
    tax_rate: None | str | Unset = UNSET
    number: None | str | Unset = UNSET
    finalize_at: datetime.datetime | None | Unset = UNSET
    issued_at: datetime.datetime | None | Unset = UNSET
    due_at: datetime.datetime | None | Unset = UNSET
    paid_at: datetime.datetime | None | Unset = UNSET
    voided_at: datetime.datetime | None | Unset = UNSET
    next_payment_attempt: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        status = self.status.value

        reason = self.reason.value

        currency = self.currency.value

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        subtotal = self.subtotal

        tax = self.tax

        total = self.total

        credit_applied = self.credit_applied

        amount_due = self.amount_due

        id = self.id

        created_at = self.created_at.isoformat()

        amount_paid = self.amount_paid

        amount_credited = self.amount_credited

        attempt_count = self.attempt_count

        subscription: None | str | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        else:
            subscription = self.subscription

        tax_rate: None | str | Unset
        if isinstance(self.tax_rate, Unset):
            tax_rate = UNSET
        else:
            tax_rate = self.tax_rate

        number: None | str | Unset
        if isinstance(self.number, Unset):
            number = UNSET
        else:
            number = self.number

        finalize_at: None | str | Unset
        if isinstance(self.finalize_at, Unset):
            finalize_at = UNSET
        elif isinstance(self.finalize_at, datetime.datetime):
            finalize_at = self.finalize_at.isoformat()
        else:
            finalize_at = self.finalize_at

        issued_at: None | str | Unset
        if isinstance(self.issued_at, Unset):
            issued_at = UNSET
        elif isinstance(self.issued_at, datetime.datetime):
            issued_at = self.issued_at.isoformat()
        else:
            issued_at = self.issued_at

        due_at: None | str | Unset
        if isinstance(self.due_at, Unset):
            due_at = UNSET
        elif isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        paid_at: None | str | Unset
        if isinstance(self.paid_at, Unset):
            paid_at = UNSET
        elif isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        voided_at: None | str | Unset
        if isinstance(self.voided_at, Unset):
            voided_at = UNSET
        elif isinstance(self.voided_at, datetime.datetime):
            voided_at = self.voided_at.isoformat()
        else:
            voided_at = self.voided_at

        next_payment_attempt: None | str | Unset
        if isinstance(self.next_payment_attempt, Unset):
            next_payment_attempt = UNSET
        elif isinstance(self.next_payment_attempt, datetime.datetime):
            next_payment_attempt = self.next_payment_attempt.isoformat()
        else:
            next_payment_attempt = self.next_payment_attempt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "status": status,
                "reason": reason,
                "currency": currency,
                "period_start": period_start,
                "period_end": period_end,
                "lines": lines,
                "subtotal": subtotal,
                "tax": tax,
                "total": total,
                "credit_applied": credit_applied,
                "amount_due": amount_due,
                "id": id,
                "created_at": created_at,
                "amount_paid": amount_paid,
                "amount_credited": amount_credited,
                "attempt_count": attempt_count,
            }
        )
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate
        if number is not UNSET:
            field_dict["number"] = number
        if finalize_at is not UNSET:
            field_dict["finalize_at"] = finalize_at
        if issued_at is not UNSET:
            field_dict["issued_at"] = issued_at
        if due_at is not UNSET:
            field_dict["due_at"] = due_at
        if paid_at is not UNSET:
            field_dict["paid_at"] = paid_at
        if voided_at is not UNSET:
            field_dict["voided_at"] = voided_at
        if next_payment_attempt is not UNSET:
            field_dict["next_payment_attempt"] = next_payment_attempt

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.line_response import LineResponse  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        status = InvoiceStatus(d.pop("status"))

        reason = Reason(d.pop("reason"))

        currency = Currency(d.pop("currency"))

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = LineResponse.from_dict(lines_item_data)

            lines.append(lines_item)

        subtotal = d.pop("subtotal")

        tax = d.pop("tax")

        total = d.pop("total")

        credit_applied = d.pop("credit_applied")

        amount_due = d.pop("amount_due")

        id = d.pop("id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        amount_paid = d.pop("amount_paid")

        amount_credited = d.pop("amount_credited")

        attempt_count = d.pop("attempt_count")

        def _parse_subscription(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        def _parse_tax_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate", UNSET))

        def _parse_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        number = _parse_number(d.pop("number", UNSET))

        def _parse_finalize_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finalize_at_type_0 = datetime.datetime.fromisoformat(data)

                return finalize_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finalize_at = _parse_finalize_at(d.pop("finalize_at", UNSET))

        def _parse_issued_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                issued_at_type_0 = datetime.datetime.fromisoformat(data)

                return issued_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        issued_at = _parse_issued_at(d.pop("issued_at", UNSET))

        def _parse_due_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        due_at = _parse_due_at(d.pop("due_at", UNSET))

        def _parse_paid_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        paid_at = _parse_paid_at(d.pop("paid_at", UNSET))

        def _parse_voided_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                voided_at_type_0 = datetime.datetime.fromisoformat(data)

                return voided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        voided_at = _parse_voided_at(d.pop("voided_at", UNSET))

        def _parse_next_payment_attempt(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_payment_attempt_type_0 = datetime.datetime.fromisoformat(data)

                return next_payment_attempt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_payment_attempt = _parse_next_payment_attempt(d.pop("next_payment_attempt", UNSET))

        invoice_response = cls(
            customer=customer,
            status=status,
            reason=reason,
            currency=currency,
            period_start=period_start,
            period_end=period_end,
            lines=lines,
            subtotal=subtotal,
            tax=tax,
            total=total,
            credit_applied=credit_applied,
            amount_due=amount_due,
            id=id,
            created_at=created_at,
            amount_paid=amount_paid,
            amount_credited=amount_credited,
            attempt_count=attempt_count,
            subscription=subscription,
            tax_rate=tax_rate,
            number=number,
            finalize_at=finalize_at,
            issued_at=issued_at,
            due_at=due_at,
            paid_at=paid_at,
            voided_at=voided_at,
            next_payment_attempt=next_payment_attempt,
        )

        invoice_response.additional_properties = d
        return invoice_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
