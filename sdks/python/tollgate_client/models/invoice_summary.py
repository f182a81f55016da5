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


T = TypeVar("T", bound="InvoiceSummary")


@_attrs_define
class InvoiceSummary:
    """What every invoice shows, the upcoming preview's included: who, which period, the lines and
    the amounts.

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
            subscription (None | str | Unset):
            tax_rate (None | str | Unset): The customer's `tax_rate` (percent) when the invoice was rated.
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
    subscription: None | str | Unset = UNSET
    tax_rate: None | str | Unset = UNSET
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
            }
        )
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate

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

        invoice_summary = cls(
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
            subscription=subscription,
            tax_rate=tax_rate,
        )

        invoice_summary.additional_properties = d
        return invoice_summary

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
