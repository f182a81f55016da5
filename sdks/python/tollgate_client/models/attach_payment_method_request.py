from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define


T = TypeVar("T", bound="AttachPaymentMethodRequest")


@_attrs_define
class AttachPaymentMethodRequest:
    """
    Attributes:
        payment_method (str): A PaymentMethod made client-side with Stripe.js (or a test one, such as `pm_card_visa`).
    """

    payment_method: str

    def to_dict(self) -> dict[str, Any]:
        payment_method = self.payment_method

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "payment_method": payment_method,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        payment_method = d.pop("payment_method")

        attach_payment_method_request = cls(
            payment_method=payment_method,
        )

        return attach_payment_method_request
