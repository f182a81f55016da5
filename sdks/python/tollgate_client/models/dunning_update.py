from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="DunningUpdate")


@_attrs_define
class DunningUpdate:
    """Changes to the dunning policy; an absent field stays, `null` turns a step off.

    Attributes:
        retry_days (list[int] | None | Unset):
        block_after_days (int | None | Unset): 1 to 365.
        cancel_after_days (int | None | Unset): 1 to 365.
    """

    retry_days: list[int] | None | Unset = UNSET
    block_after_days: int | None | Unset = UNSET
    cancel_after_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        retry_days: list[int] | None | Unset
        if isinstance(self.retry_days, Unset):
            retry_days = UNSET
        elif isinstance(self.retry_days, list):
            retry_days = self.retry_days

        else:
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

        field_dict.update({})
        if retry_days is not UNSET:
            field_dict["retry_days"] = retry_days
        if block_after_days is not UNSET:
            field_dict["block_after_days"] = block_after_days
        if cancel_after_days is not UNSET:
            field_dict["cancel_after_days"] = cancel_after_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_retry_days(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                retry_days_type_1 = cast(list[int], data)

                return retry_days_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        retry_days = _parse_retry_days(d.pop("retry_days", UNSET))

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

        dunning_update = cls(
            retry_days=retry_days,
            block_after_days=block_after_days,
            cancel_after_days=cancel_after_days,
        )

        return dunning_update
