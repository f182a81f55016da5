from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from ..models.charge_model import ChargeModel
from ..models.currency import Currency
from typing import cast

if TYPE_CHECKING:
    from ..models.tier_input import TierInput


T = TypeVar("T", bound="ChargeInput")


@_attrs_define
class ChargeInput:
    """A usage charge on a metered feature.

    Attributes:
        feature (str):
        model (ChargeModel): How usage is priced.
        currency (Currency | None | Unset):
        unit_amount (None | str | Unset):
        included (float | None | str | Unset):
        tiers (list[TierInput] | None | Unset): `graduated`, `volume`: ascending tiers, the last unbounded.
        package_size (int | None | Unset): `package`: units per package; a started package is billed whole.
        package_amount (None | str | Unset):
    """

    feature: str
    model: ChargeModel
    currency: Currency | None | Unset = UNSET
    unit_amount: None | str | Unset = UNSET
    included: float | None | str | Unset = UNSET
    tiers: list[TierInput] | None | Unset = UNSET
    package_size: int | None | Unset = UNSET
    package_amount: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        feature = self.feature

        model = self.model.value

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency

        unit_amount: None | str | Unset
        if isinstance(self.unit_amount, Unset):
            unit_amount = UNSET
        else:
            unit_amount = self.unit_amount

        included: float | None | str | Unset
        if isinstance(self.included, Unset):
            included = UNSET
        else:
            included = self.included

        tiers: list[dict[str, Any]] | None | Unset
        if isinstance(self.tiers, Unset):
            tiers = UNSET
        elif isinstance(self.tiers, list):
            tiers = []
            for tiers_type_0_item_data in self.tiers:
                tiers_type_0_item = tiers_type_0_item_data.to_dict()
                tiers.append(tiers_type_0_item)

        else:
            tiers = self.tiers

        package_size: int | None | Unset
        if isinstance(self.package_size, Unset):
            package_size = UNSET
        else:
            package_size = self.package_size

        package_amount: None | str | Unset
        if isinstance(self.package_amount, Unset):
            package_amount = UNSET
        else:
            package_amount = self.package_amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "feature": feature,
                "model": model,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency
        if unit_amount is not UNSET:
            field_dict["unit_amount"] = unit_amount
        if included is not UNSET:
            field_dict["included"] = included
        if tiers is not UNSET:
            field_dict["tiers"] = tiers
        if package_size is not UNSET:
            field_dict["package_size"] = package_size
        if package_amount is not UNSET:
            field_dict["package_amount"] = package_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tier_input import TierInput  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        model = ChargeModel(d.pop("model"))

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

        def _parse_unit_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit_amount = _parse_unit_amount(d.pop("unit_amount", UNSET))

        def _parse_included(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        included = _parse_included(d.pop("included", UNSET))

        def _parse_tiers(data: object) -> list[TierInput] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tiers_type_0 = []
                _tiers_type_0 = data
                for tiers_type_0_item_data in _tiers_type_0:
                    tiers_type_0_item = TierInput.from_dict(tiers_type_0_item_data)

                    tiers_type_0.append(tiers_type_0_item)

                return tiers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TierInput] | None | Unset, data)

        tiers = _parse_tiers(d.pop("tiers", UNSET))

        def _parse_package_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        package_size = _parse_package_size(d.pop("package_size", UNSET))

        def _parse_package_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        package_amount = _parse_package_amount(d.pop("package_amount", UNSET))

        charge_input = cls(
            feature=feature,
            model=model,
            currency=currency,
            unit_amount=unit_amount,
            included=included,
            tiers=tiers,
            package_size=package_size,
            package_amount=package_amount,
        )

        return charge_input
