from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from ..models.credit_reason import CreditReason


T = TypeVar("T", bound="CreditNoteRequest")


@_attrs_define
class CreditNoteRequest:
    """
    Attributes:
        amount (str): A decimal string in major units, 0 to 10^15, at most 12 decimal places. Never a JSON number.
        reason (CreditReason): Why the credit note was issued (Stripe's reasons).
        refund (bool | Unset): On a paid invoice: send the money back to the card (else it becomes customer credit).
    """

    amount: str
    reason: CreditReason
    refund: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        reason = self.reason.value

        refund = self.refund

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "reason": reason,
            }
        )
        if refund is not UNSET:
            field_dict["refund"] = refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        reason = CreditReason(d.pop("reason"))

        refund = d.pop("refund", UNSET)

        credit_note_request = cls(
            amount=amount,
            reason=reason,
            refund=refund,
        )

        return credit_note_request
