from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


T = TypeVar("T", bound="EmailSettings")


@_attrs_define
class EmailSettings:
    """Which emails your customers get (all, unless turned off).

    Attributes:
        invoice (bool): A finalized invoice, with its document.
        receipt (bool): A payment receipt.
        payment_failed (bool): A failed payment, with a link to update the payment method.
        usage_threshold (bool): Usage at 80 % and 100 % of a limit.
        trial_ending (bool): A trial ending in 3 days.
        subscription_canceled (bool): A subscription canceled.
    """

    invoice: bool
    receipt: bool
    payment_failed: bool
    usage_threshold: bool
    trial_ending: bool
    subscription_canceled: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        invoice = self.invoice

        receipt = self.receipt

        payment_failed = self.payment_failed

        usage_threshold = self.usage_threshold

        trial_ending = self.trial_ending

        subscription_canceled = self.subscription_canceled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invoice": invoice,
                "receipt": receipt,
                "payment_failed": payment_failed,
                "usage_threshold": usage_threshold,
                "trial_ending": trial_ending,
                "subscription_canceled": subscription_canceled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        invoice = d.pop("invoice")

        receipt = d.pop("receipt")

        payment_failed = d.pop("payment_failed")

        usage_threshold = d.pop("usage_threshold")

        trial_ending = d.pop("trial_ending")

        subscription_canceled = d.pop("subscription_canceled")

        email_settings = cls(
            invoice=invoice,
            receipt=receipt,
            payment_failed=payment_failed,
            usage_threshold=usage_threshold,
            trial_ending=trial_ending,
            subscription_canceled=subscription_canceled,
        )

        email_settings.additional_properties = d
        return email_settings

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
