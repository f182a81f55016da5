from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from ..models.granularity import Granularity

if TYPE_CHECKING:
    from ..models.usage_point import UsagePoint


T = TypeVar("T", bound="UsageSeries")


@_attrs_define
class UsageSeries:
    """
    Attributes:
        feature (str):
        granularity (Granularity): The size of a time-series bucket (UTC).
        data (list[UsagePoint]):
    """

    feature: str
    granularity: Granularity
    data: list[UsagePoint]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        feature = self.feature

        granularity = self.granularity.value

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "feature": feature,
                "granularity": granularity,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_point import UsagePoint  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        granularity = Granularity(d.pop("granularity"))

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = UsagePoint.from_dict(data_item_data)

            data.append(data_item)

        usage_series = cls(
            feature=feature,
            granularity=granularity,
            data=data,
        )

        usage_series.additional_properties = d
        return usage_series

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
