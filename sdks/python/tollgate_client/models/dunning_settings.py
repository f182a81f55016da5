from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="DunningSettings")


@_attrs_define
class DunningSettings:
    """What happens after an invoice's first failed payment, each step in days from it.

    Attributes:
        retry_days (list[int]): When the invoice is tried again.
        block_after_days (int | None | Unset): From when `verify` answers `PAYMENT_REQUIRED`; null: never.
        cancel_after_days (int | None | Unset): When the subscription is canceled and the invoice marked uncollectible;
            null: never.
    """

    retry_days: list[int]
    block_after_days: int | None | Unset = UNSET
    cancel_after_days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        retry_days = self.retry_days

        block_after_days: int | None | Unset
        if isinstance(self.block_after_days, Unset):
            block_after_days = UNSET
        else:
            block_after_days = self.block_after_days

        cancel_after_days: int | None | Unset
        if isinstance(self.cancel_after_days, Unset):
            cancel_after_days = UNSET
        else:
            cancel_after_days = self.cancel_after_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "retry_days": retry_days,
            }
        )
        if block_after_days is not UNSET:
            field_dict["block_after_days"] = block_after_days
        if cancel_after_days is not UNSET:
            field_dict["cancel_after_days"] = cancel_after_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        retry_days = cast(list[int], d.pop("retry_days"))

        def _parse_block_after_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        block_after_days = _parse_block_after_days(d.pop("block_after_days", UNSET))

        def _parse_cancel_after_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cancel_after_days = _parse_cancel_after_days(d.pop("cancel_after_days", UNSET))

        dunning_settings = cls(
            retry_days=retry_days,
            block_after_days=block_after_days,
            cancel_after_days=cancel_after_days,
        )

        dunning_settings.additional_properties = d
        return dunning_settings

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
