from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


import datetime

if TYPE_CHECKING:
    from ..models.feature_usage import FeatureUsage


T = TypeVar("T", bound="UsageByFeature")


@_attrs_define
class UsageByFeature:
    """Usage billed per feature over `[from, to)`: the usage lines of the invoices finalized then
    (void ones excepted), largest amount first.

        Attributes:
            currency (str):
            from_ (datetime.datetime):
            to (datetime.datetime):
            data (list[FeatureUsage]):
    """

    currency: str
    from_: datetime.datetime
    to: datetime.datetime
    data: list[FeatureUsage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "from": from_,
                "to": to,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feature_usage import FeatureUsage  # noqa: PLC0415

        d = dict(src_dict)
        currency = d.pop("currency")

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        to = datetime.datetime.fromisoformat(d.pop("to"))

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = FeatureUsage.from_dict(data_item_data)

            data.append(data_item)

        usage_by_feature = cls(
            currency=currency,
            from_=from_,
            to=to,
            data=data,
        )

        usage_by_feature.additional_properties = d
        return usage_by_feature

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
