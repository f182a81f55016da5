from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from ..models.billing import Billing
from ..models.currency import Currency
from ..models.interval import Interval
from typing import cast

if TYPE_CHECKING:
    from ..models.charge_input import ChargeInput
    from ..models.entitlement_input import EntitlementInput


T = TypeVar("T", bound="CreatePlanRequest")


@_attrs_define
class CreatePlanRequest:
    """
    Attributes:
        key (str): 1 to 64 of `A-Z a-z 0-9 _ - . :`; unique per mode.
        name (str):
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        interval (Interval): The unit of a plan's billing period.
        amount (str): A decimal string in major units, 0 to 10^15, at most 12 decimal places. Never a JSON number.
        interval_count (int | None | Unset): Periods of `interval_count` intervals; default 1.
        billing (Billing | None | Unset):
        trial_days (int | None | Unset): Default 0.
        entitlements (list[EntitlementInput] | Unset):
        charges (list[ChargeInput] | Unset):
    """

    key: str
    name: str
    currency: Currency
    interval: Interval
    amount: str
    interval_count: int | None | Unset = UNSET
    billing: Billing | None | Unset = UNSET
    trial_days: int | None | Unset = UNSET
    entitlements: list[EntitlementInput] | Unset = UNSET
    charges: list[ChargeInput] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        name = self.name

        currency = self.currency.value

        interval = self.interval.value

        amount = self.amount

        interval_count: int | None | Unset
        if isinstance(self.interval_count, Unset):
            interval_count = UNSET
        else:
            interval_count = self.interval_count

        billing: None | str | Unset
        if isinstance(self.billing, Unset):
            billing = UNSET
        elif isinstance(self.billing, Billing):
            billing = self.billing.value
        else:
            billing = self.billing

        trial_days: int | None | Unset
        if isinstance(self.trial_days, Unset):
            trial_days = UNSET
        else:
            trial_days = self.trial_days

        entitlements: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.entitlements, Unset):
            entitlements = []
            for entitlements_item_data in self.entitlements:
                entitlements_item = entitlements_item_data.to_dict()
                entitlements.append(entitlements_item)

        charges: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.charges, Unset):
            charges = []
            for charges_item_data in self.charges:
                charges_item = charges_item_data.to_dict()
                charges.append(charges_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "name": name,
                "currency": currency,
                "interval": interval,
                "amount": amount,
            }
        )
        if interval_count is not UNSET:
            field_dict["interval_count"] = interval_count
        if billing is not UNSET:
            field_dict["billing"] = billing
        if trial_days is not UNSET:
            field_dict["trial_days"] = trial_days
        if entitlements is not UNSET:
            field_dict["entitlements"] = entitlements
        if charges is not UNSET:
            field_dict["charges"] = charges

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.charge_input import ChargeInput  # noqa: PLC0415
        from ..models.entitlement_input import EntitlementInput  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        name = d.pop("name")

        currency = Currency(d.pop("currency"))

        interval = Interval(d.pop("interval"))

        amount = d.pop("amount")

        def _parse_interval_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        interval_count = _parse_interval_count(d.pop("interval_count", UNSET))

        def _parse_billing(data: object) -> Billing | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                billing_type_1 = Billing(data)

                return billing_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Billing | None | Unset, data)

        billing = _parse_billing(d.pop("billing", UNSET))

        def _parse_trial_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        trial_days = _parse_trial_days(d.pop("trial_days", UNSET))

        _entitlements = d.pop("entitlements", UNSET)
        entitlements: list[EntitlementInput] | Unset = UNSET
        if _entitlements is not UNSET:
            entitlements = []
            for entitlements_item_data in _entitlements:
                entitlements_item = EntitlementInput.from_dict(entitlements_item_data)

                entitlements.append(entitlements_item)

        _charges = d.pop("charges", UNSET)
        charges: list[ChargeInput] | Unset = UNSET
        if _charges is not UNSET:
            charges = []
            for charges_item_data in _charges:
                charges_item = ChargeInput.from_dict(charges_item_data)

                charges.append(charges_item)

        create_plan_request = cls(
            key=key,
            name=name,
            currency=currency,
            interval=interval,
            amount=amount,
            interval_count=interval_count,
            billing=billing,
            trial_days=trial_days,
            entitlements=entitlements,
            charges=charges,
        )

        return create_plan_request
