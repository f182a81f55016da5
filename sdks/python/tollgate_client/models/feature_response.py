from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.aggregation import Aggregation
from ..models.feature_type import FeatureType
from typing import cast
import datetime


T = TypeVar("T", bound="FeatureResponse")


@_attrs_define
class FeatureResponse:
    """
    Attributes:
        id (str): Identifier, `feat_` followed by 22 base62 characters.
        key (str):
        name (str):
        type_ (FeatureType): `boolean`: has it or not. `metered`: counted, limited and billed by usage. `config`: a
            value.
        created_at (datetime.datetime):
        unit (None | str | Unset):
        aggregation (Aggregation | None | Unset):
        property_ (None | str | Unset):
    """

    id: str
    key: str
    name: str
    type_: FeatureType
    created_at: datetime.datetime
    unit: None | str | Unset = UNSET
    aggregation: Aggregation | None | Unset = UNSET
    property_: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        key = self.key

        name = self.name

        type_ = self.type_.value

        created_at = self.created_at.isoformat()

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
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "key": key,
                "name": name,
                "type": type_,
                "created_at": created_at,
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
        id = d.pop("id")

        key = d.pop("key")

        name = d.pop("name")

        type_ = FeatureType(d.pop("type"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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

        feature_response = cls(
            id=id,
            key=key,
            name=name,
            type_=type_,
            created_at=created_at,
            unit=unit,
            aggregation=aggregation,
            property_=property_,
        )

        feature_response.additional_properties = d
        return feature_response

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
