from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="EmailsUpdate")


@_attrs_define
class EmailsUpdate:
    """Turns kinds of customer email on (`true`) or off (`false`); absent ones stay.

    Attributes:
        invoice (bool | None | Unset):
        receipt (bool | None | Unset):
        payment_failed (bool | None | Unset):
        usage_threshold (bool | None | Unset):
        trial_ending (bool | None | Unset):
        subscription_canceled (bool | None | Unset):
    """

    invoice: bool | None | Unset = UNSET
    receipt: bool | None | Unset = UNSET
    payment_failed: bool | None | Unset = UNSET
    usage_threshold: bool | None | Unset = UNSET
    trial_ending: bool | None | Unset = UNSET
    subscription_canceled: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        invoice: bool | None | Unset
        if isinstance(self.invoice, Unset):
            invoice = UNSET
        else:
            invoice = self.invoice

        receipt: bool | None | Unset
        if isinstance(self.receipt, Unset):
            receipt = UNSET
        else:
            receipt = self.receipt

        payment_failed: bool | None | Unset
        if isinstance(self.payment_failed, Unset):
            payment_failed = UNSET
        else:
            payment_failed = self.payment_failed

        usage_threshold: bool | None | Unset
        if isinstance(self.usage_threshold, Unset):
            usage_threshold = UNSET
        else:
            usage_threshold = self.usage_threshold

        trial_ending: bool | None | Unset
        if isinstance(self.trial_ending, Unset):
            trial_ending = UNSET
        else:
            trial_ending = self.trial_ending

        subscription_canceled: bool | None | Unset
        if isinstance(self.subscription_canceled, Unset):
            subscription_canceled = UNSET
        else:
            subscription_canceled = self.subscription_canceled

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if invoice is not UNSET:
            field_dict["invoice"] = invoice
        if receipt is not UNSET:
            field_dict["receipt"] = receipt
        if payment_failed is not UNSET:
            field_dict["payment_failed"] = payment_failed
        if usage_threshold is not UNSET:
            field_dict["usage_threshold"] = usage_threshold
        if trial_ending is not UNSET:
            field_dict["trial_ending"] = trial_ending
        if subscription_canceled is not UNSET:
            field_dict["subscription_canceled"] = subscription_canceled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_invoice(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        invoice = _parse_invoice(d.pop("invoice", UNSET))

        def _parse_receipt(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        receipt = _parse_receipt(d.pop("receipt", UNSET))

        def _parse_payment_failed(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        payment_failed = _parse_payment_failed(d.pop("payment_failed", UNSET))

        def _parse_usage_threshold(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        usage_threshold = _parse_usage_threshold(d.pop("usage_threshold", UNSET))

        def _parse_trial_ending(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        trial_ending = _parse_trial_ending(d.pop("trial_ending", UNSET))

        def _parse_subscription_canceled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        subscription_canceled = _parse_subscription_canceled(d.pop("subscription_canceled", UNSET))

        emails_update = cls(
            invoice=invoice,
            receipt=receipt,
            payment_failed=payment_failed,
            usage_threshold=usage_threshold,
            trial_ending=trial_ending,
            subscription_canceled=subscription_canceled,
        )

        return emails_update
