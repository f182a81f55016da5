from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="UsageThresholdReached")


@_attrs_define
class UsageThresholdReached:
    """What the event carries (`data.object` of `usage.threshold_reached`).

    Attributes:
        customer (str): Identifier, `cus_` followed by 22 base62 characters.
        feature (str):
        threshold (int): 80 or 100 (percent of the limit).
        used (int): The usage of the window as the write that reported the threshold saw it: right after the
            event that crossed it, or after the next one if a concurrent usage batch hid the crossing.
        limit (int):
        window_start (datetime.datetime):
        resets_at (datetime.datetime | None | Unset): When the window ends; absent for a limit that never resets.
    """

    customer: str
    feature: str
    threshold: int
    used: int
    limit: int
    window_start: datetime.datetime
    resets_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        feature = self.feature

        threshold = self.threshold

        used = self.used

        limit = self.limit

        window_start = self.window_start.isoformat()

        resets_at: None | str | Unset
        if isinstance(self.resets_at, Unset):
            resets_at = UNSET
        elif isinstance(self.resets_at, datetime.datetime):
            resets_at = self.resets_at.isoformat()
        else:
            resets_at = self.resets_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "feature": feature,
                "threshold": threshold,
                "used": used,
                "limit": limit,
                "window_start": window_start,
            }
        )
        if resets_at is not UNSET:
            field_dict["resets_at"] = resets_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        feature = d.pop("feature")

        threshold = d.pop("threshold")

        used = d.pop("used")

        limit = d.pop("limit")

        window_start = datetime.datetime.fromisoformat(d.pop("window_start"))

        def _parse_resets_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resets_at_type_0 = datetime.datetime.fromisoformat(data)

                return resets_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        resets_at = _parse_resets_at(d.pop("resets_at", UNSET))

        usage_threshold_reached = cls(
            customer=customer,
            feature=feature,
            threshold=threshold,
            used=used,
            limit=limit,
            window_start=window_start,
            resets_at=resets_at,
        )

        usage_threshold_reached.additional_properties = d
        return usage_threshold_reached

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
