from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from ..models.bucket_interval import BucketInterval

if TYPE_CHECKING:
    from ..models.mrr_bucket import MrrBucket


T = TypeVar("T", bound="MrrSeries")


@_attrs_define
class MrrSeries:
    """
    Attributes:
        currency (str):
        interval (BucketInterval): The length of an MRR bucket.
        data (list[MrrBucket]):
    """

    currency: str
    interval: BucketInterval
    data: list[MrrBucket]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        interval = self.interval.value

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "interval": interval,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mrr_bucket import MrrBucket  # noqa: PLC0415

        d = dict(src_dict)
        currency = d.pop("currency")

        interval = BucketInterval(d.pop("interval"))

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = MrrBucket.from_dict(data_item_data)

            data.append(data_item)

        mrr_series = cls(
            currency=currency,
            interval=interval,
            data=data,
        )

        mrr_series.additional_properties = d
        return mrr_series

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
