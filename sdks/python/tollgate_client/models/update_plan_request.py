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


T = TypeVar("T", bound="UpdatePlanRequest")


@_attrs_define
class UpdatePlanRequest:
    """Any of the plan's terms; the rest stay as they are. Entitlements and charges are replaced
    whole when given.

        Attributes:
            name (None | str | Unset):
            currency (Currency | None | Unset):
            interval (Interval | None | Unset):
            interval_count (int | None | Unset):
            amount (None | str | Unset):
            billing (Billing | None | Unset):
            trial_days (int | None | Unset):
            entitlements (list[EntitlementInput] | None | Unset):
            charges (list[ChargeInput] | None | Unset):
    """

    name: None | str | Unset = UNSET
    currency: Currency | None | Unset = UNSET
    interval: Interval | None | Unset = UNSET
    interval_count: int | None | Unset = UNSET
    amount: None | str | Unset = UNSET
    billing: Billing | None | Unset = UNSET
    trial_days: int | None | Unset = UNSET
    entitlements: list[EntitlementInput] | None | Unset = UNSET
    charges: list[ChargeInput] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency

        interval: None | str | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        elif isinstance(self.interval, Interval):
            interval = self.interval.value
        else:
            interval = self.interval

        interval_count: int | None | Unset
        if isinstance(self.interval_count, Unset):
            interval_count = UNSET
        else:
            interval_count = self.interval_count

        amount: None | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

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

        entitlements: list[dict[str, Any]] | None | Unset
        if isinstance(self.entitlements, Unset):
            entitlements = UNSET
        elif isinstance(self.entitlements, list):
            entitlements = []
            for entitlements_type_0_item_data in self.entitlements:
                entitlements_type_0_item = entitlements_type_0_item_data.to_dict()
                entitlements.append(entitlements_type_0_item)

        else:
            entitlements = self.entitlements

        charges: list[dict[str, Any]] | None | Unset
        if isinstance(self.charges, Unset):
            charges = UNSET
        elif isinstance(self.charges, list):
            charges = []
            for charges_type_0_item_data in self.charges:
                charges_type_0_item = charges_type_0_item_data.to_dict()
                charges.append(charges_type_0_item)

        else:
            charges = self.charges

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if currency is not UNSET:
            field_dict["currency"] = currency
        if interval is not UNSET:
            field_dict["interval"] = interval
        if interval_count is not UNSET:
            field_dict["interval_count"] = interval_count
        if amount is not UNSET:
            field_dict["amount"] = amount
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

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_currency(data: object) -> Currency | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = Currency(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Currency | None | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_interval(data: object) -> Interval | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                interval_type_1 = Interval(data)

                return interval_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Interval | None | Unset, data)

        interval = _parse_interval(d.pop("interval", UNSET))

        def _parse_interval_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        interval_count = _parse_interval_count(d.pop("interval_count", UNSET))

        def _parse_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

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

        def _parse_entitlements(data: object) -> list[EntitlementInput] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                entitlements_type_0 = []
                _entitlements_type_0 = data
                for entitlements_type_0_item_data in _entitlements_type_0:
                    entitlements_type_0_item = EntitlementInput.from_dict(entitlements_type_0_item_data)

                    entitlements_type_0.append(entitlements_type_0_item)

                return entitlements_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EntitlementInput] | None | Unset, data)

        entitlements = _parse_entitlements(d.pop("entitlements", UNSET))

        def _parse_charges(data: object) -> list[ChargeInput] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                charges_type_0 = []
                _charges_type_0 = data
                for charges_type_0_item_data in _charges_type_0:
                    charges_type_0_item = ChargeInput.from_dict(charges_type_0_item_data)

                    charges_type_0.append(charges_type_0_item)

                return charges_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ChargeInput] | None | Unset, data)

        charges = _parse_charges(d.pop("charges", UNSET))

        update_plan_request = cls(
            name=name,
            currency=currency,
            interval=interval,
            interval_count=interval_count,
            amount=amount,
            billing=billing,
            trial_days=trial_days,
            entitlements=entitlements,
            charges=charges,
        )

        return update_plan_request
