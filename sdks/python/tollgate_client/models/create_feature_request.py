from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from ..models.aggregation import Aggregation
from ..models.feature_type import FeatureType
from typing import cast


T = TypeVar("T", bound="CreateFeatureRequest")


@_attrs_define
class CreateFeatureRequest:
    """
    Attributes:
        key (str): Your name for it, used everywhere else: 1 to 64 of `A-Z a-z 0-9 _ - . :`. Unique per mode.
        name (str):
        type_ (FeatureType): `boolean`: has it or not. `metered`: counted, limited and billed by usage. `config`: a
            value.
        unit (None | str | Unset): What one unit is, for invoices (`request`, `MB`).
        aggregation (Aggregation | None | Unset):
        property_ (None | str | Unset): The event property that `max`, `unique_count` and `latest` read.
    """

    key: str
    name: str
    type_: FeatureType
    unit: None | str | Unset = UNSET
    aggregation: Aggregation | None | Unset = UNSET
    property_: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        name = self.name

        type_ = self.type_.value

        unit: None | str | Unset
        if isinstance(self.unit, Unset):
            unit = UNSET
        else:
            unit = self.unit

        aggregation: None | str | Unset
        if isinstance(self.aggregation, Unset):
            aggregation = UNSET
        elif isinstance(self.aggregation, Aggregation):
            aggregation = self.aggregation.value
        else:
            aggregation = self.aggregation

        property_: None | str | Unset
        if isinstance(self.property_, Unset):
            property_ = UNSET
        else:
            property_ = self.property_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "name": name,
                "type": type_,
            }
        )
        if unit is not UNSET:
            field_dict["unit"] = unit
        if aggregation is not UNSET:
            field_dict["aggregation"] = aggregation
        if property_ is not UNSET:
            field_dict["property"] = property_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        name = d.pop("name")

        type_ = FeatureType(d.pop("type"))

        def _parse_unit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit = _parse_unit(d.pop("unit", UNSET))

        def _parse_aggregation(data: object) -> Aggregation | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                aggregation_type_1 = Aggregation(data)

                return aggregation_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Aggregation | None | Unset, data)

        aggregation = _parse_aggregation(d.pop("aggregation", UNSET))

        def _parse_property_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        property_ = _parse_property_(d.pop("property", UNSET))

        create_feature_request = cls(
            key=key,
            name=name,
            type_=type_,
            unit=unit,
            aggregation=aggregation,
            property_=property_,
        )

        return create_feature_request
