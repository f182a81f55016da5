from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="TierInput")


@_attrs_define
class TierInput:
    """
    Attributes:
        up_to (int | None | Unset): Inclusive upper bound; null for the last tier, which must be unbounded.
        unit_amount (None | str | Unset):
        flat_amount (None | str | Unset):
    """

    up_to: int | None | Unset = UNSET
    unit_amount: None | str | Unset = UNSET
    flat_amount: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        up_to: int | None | Unset
        if isinstance(self.up_to, Unset):
            up_to = UNSET
        else:
            up_to = self.up_to

        unit_amount: None | str | Unset
        if isinstance(self.unit_amount, Unset):
            unit_amount = UNSET
        else:
            unit_amount = self.unit_amount

        flat_amount: None | str | Unset
        if isinstance(self.flat_amount, Unset):
            flat_amount = UNSET
        else:
            flat_amount = self.flat_amount

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if up_to is not UNSET:
            field_dict["up_to"] = up_to
        if unit_amount is not UNSET:
            field_dict["unit_amount"] = unit_amount
        if flat_amount is not UNSET:
            field_dict["flat_amount"] = flat_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_up_to(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        up_to = _parse_up_to(d.pop("up_to", UNSET))

        def _parse_unit_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit_amount = _parse_unit_amount(d.pop("unit_amount", UNSET))

        def _parse_flat_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        flat_amount = _parse_flat_amount(d.pop("flat_amount", UNSET))

        tier_input = cls(
            up_to=up_to,
            unit_amount=unit_amount,
            flat_amount=flat_amount,
        )

        return tier_input
