from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.credit_reason import CreditReason
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.refund_response import RefundResponse


T = TypeVar("T", bound="CreditNoteResponse")


@_attrs_define
class CreditNoteResponse:
    """
    Attributes:
        id (str): Identifier, `cn_` followed by 22 base62 characters.
        number (str): `TEST-CN-000001` / `CN-000001`, gapless per tenant and mode.
        invoice (str): Identifier, `in_` followed by 22 base62 characters.
        amount (str):
        currency (str):
        reason (CreditReason): Why the credit note was issued (Stripe's reasons).
        status (str): Always `issued`.
        applied_to (str): Where the credit went: `invoice` (less to pay), `refund` (back to the card) or
            `balance` (credit for the customer's next invoices).
        created_at (datetime.datetime):
        refund (None | RefundResponse | Unset):
    """

    id: str
    number: str
    invoice: str
    amount: str
    currency: str
    reason: CreditReason
    status: str
    applied_to: str
    created_at: datetime.datetime
    refund: None | RefundResponse | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.refund_response import RefundResponse  # noqa: PLC0415

        id = self.id

        number = self.number

        invoice = self.invoice

        amount = self.amount

        currency = self.currency

        reason = self.reason.value

        status = self.status

        applied_to = self.applied_to

        created_at = self.created_at.isoformat()

        refund: dict[str, Any] | None | Unset
        if isinstance(self.refund, Unset):
            refund = UNSET
        elif isinstance(self.refund, RefundResponse):
            refund = self.refund.to_dict()
        else:
            refund = self.refund

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "invoice": invoice,
                "amount": amount,
                "currency": currency,
                "reason": reason,
                "status": status,
                "applied_to": applied_to,
                "created_at": created_at,
            }
        )
        if refund is not UNSET:
            field_dict["refund"] = refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.refund_response import RefundResponse  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        number = d.pop("number")

        invoice = d.pop("invoice")

        amount = d.pop("amount")

        currency = d.pop("currency")

        reason = CreditReason(d.pop("reason"))

        status = d.pop("status")

        applied_to = d.pop("applied_to")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_refund(data: object) -> None | RefundResponse | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refund_type_1 = RefundResponse.from_dict(data)

                return refund_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RefundResponse | Unset, data)

        refund = _parse_refund(d.pop("refund", UNSET))

        credit_note_response = cls(
            id=id,
            number=number,
            invoice=invoice,
            amount=amount,
            currency=currency,
            reason=reason,
            status=status,
            applied_to=applied_to,
            created_at=created_at,
            refund=refund,
        )

        credit_note_response.additional_properties = d
        return credit_note_response

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
