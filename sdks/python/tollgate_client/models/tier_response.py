from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="TierResponse")


@_attrs_define
class TierResponse:
    """
    Attributes:
        from_ (str): Units above `from` up to and including `up_to` (null: no upper bound).
        quantity (str):
        unit_amount (str):
        flat_amount (str):
        amount (str): Before rounding: the line's amount is rounded once.
        up_to (None | str | Unset):
    """

    from_: str
    quantity: str
    unit_amount: str
    flat_amount: str
    amount: str
    up_to: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        quantity = self.quantity

        unit_amount = self.unit_amount

        flat_amount = self.flat_amount

        amount = self.amount

        up_to: None | str | Unset
        if isinstance(self.up_to, Unset):
            up_to = UNSET
        else:
            up_to = self.up_to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "quantity": quantity,
                "unit_amount": unit_amount,
                "flat_amount": flat_amount,
                "amount": amount,
            }
        )
        if up_to is not UNSET:
            field_dict["up_to"] = up_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = d.pop("from")

        quantity = d.pop("quantity")

        unit_amount = d.pop("unit_amount")

        flat_amount = d.pop("flat_amount")

        amount = d.pop("amount")

        def _parse_up_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        up_to = _parse_up_to(d.pop("up_to", UNSET))

        tier_response = cls(
            from_=from_,
            quantity=quantity,
            unit_amount=unit_amount,
            flat_amount=flat_amount,
            amount=amount,
            up_to=up_to,
        )

        tier_response.additional_properties = d
        return tier_response

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
