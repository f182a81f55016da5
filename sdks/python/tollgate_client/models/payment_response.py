from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.payment_status import PaymentStatus
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.dispute_response import DisputeResponse


T = TypeVar("T", bound="PaymentResponse")


@_attrs_define
class PaymentResponse:
    """
    Attributes:
        id (str): Identifier, `pay_` followed by 22 base62 characters.
        invoice (str): Identifier, `in_` followed by 22 base62 characters.
        amount (str):
        currency (str):
        status (PaymentStatus): `processing` until Stripe's answer is known; `requires_action` while the customer must
            authenticate (3-D Secure); then `succeeded`, `failed` or `canceled`.
        created_at (datetime.datetime):
        failure_code (None | str | Unset): Stripe's `decline_code` when there is one, else its error `code`.
        failure_message (None | str | Unset):
        stripe_payment_intent (None | str | Unset):
        dispute (DisputeResponse | None | Unset):
    """

    id: str
    invoice: str
    amount: str
    currency: str
    status: PaymentStatus
    created_at: datetime.datetime
    failure_code: None | str | Unset = UNSET
    failure_message: None | str | Unset = UNSET
    stripe_payment_intent: None | str | Unset = UNSET
    dispute: DisputeResponse | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.dispute_response import DisputeResponse  # noqa: PLC0415

        id = self.id

        invoice = self.invoice

        amount = self.amount

        currency = self.currency

        status = self.status.value

        created_at = self.created_at.isoformat()

        failure_code: None | str | Unset
        if isinstance(self.failure_code, Unset):
            failure_code = UNSET
        else:
            failure_code = self.failure_code

        failure_message: None | str | Unset
        if isinstance(self.failure_message, Unset):
            failure_message = UNSET
        else:
            failure_message = self.failure_message

        stripe_payment_intent: None | str | Unset
        if isinstance(self.stripe_payment_intent, Unset):
            stripe_payment_intent = UNSET
        else:
            stripe_payment_intent = self.stripe_payment_intent

        dispute: dict[str, Any] | None | Unset
        if isinstance(self.dispute, Unset):
            dispute = UNSET
        elif isinstance(self.dispute, DisputeResponse):
            dispute = self.dispute.to_dict()
        else:
            dispute = self.dispute

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "invoice": invoice,
                "amount": amount,
                "currency": currency,
                "status": status,
                "created_at": created_at,
            }
        )
        if failure_code is not UNSET:
            field_dict["failure_code"] = failure_code
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if stripe_payment_intent is not UNSET:
            field_dict["stripe_payment_intent"] = stripe_payment_intent
        if dispute is not UNSET:
            field_dict["dispute"] = dispute

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dispute_response import DisputeResponse  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        invoice = d.pop("invoice")

        amount = d.pop("amount")

        currency = d.pop("currency")

        status = PaymentStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_failure_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_code = _parse_failure_code(d.pop("failure_code", UNSET))

        def _parse_failure_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_message = _parse_failure_message(d.pop("failure_message", UNSET))

        def _parse_stripe_payment_intent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stripe_payment_intent = _parse_stripe_payment_intent(d.pop("stripe_payment_intent", UNSET))

        def _parse_dispute(data: object) -> DisputeResponse | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dispute_type_1 = DisputeResponse.from_dict(data)

                return dispute_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisputeResponse | None | Unset, data)

        dispute = _parse_dispute(d.pop("dispute", UNSET))

        payment_response = cls(
            id=id,
            invoice=invoice,
            amount=amount,
            currency=currency,
            status=status,
            created_at=created_at,
            failure_code=failure_code,
            failure_message=failure_message,
            stripe_payment_intent=stripe_payment_intent,
            dispute=dispute,
        )

        payment_response.additional_properties = d
        return payment_response

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
