from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from typing import cast

if TYPE_CHECKING:
    from ..models.property_value_type_5 import PropertyValueType5


T = TypeVar("T", bound="Properties")


@_attrs_define
class Properties:
    """Event properties, a JSON object; `max`, `unique_count` and `latest` features read one of them."""

    additional_properties: dict[str, bool | float | list[Any] | None | PropertyValueType5 | str] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        from ..models.property_value_type_5 import PropertyValueType5  # noqa: PLC0415

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, list):
                field_dict[prop_name] = prop

            elif isinstance(prop, PropertyValueType5):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.property_value_type_5 import PropertyValueType5  # noqa: PLC0415

        d = dict(src_dict)
        properties = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(data: object) -> bool | float | list[Any] | None | PropertyValueType5 | str:
                if data is None:
                    return data
                try:
                    if not isinstance(data, list):
                        raise TypeError()
                    componentsschemas_property_value_type_4 = cast(list[Any], data)

                    return componentsschemas_property_value_type_4
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_property_value_type_5 = PropertyValueType5.from_dict(data)

                    return componentsschemas_property_value_type_5
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(bool | float | list[Any] | None | PropertyValueType5 | str, data)

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        properties.additional_properties = additional_properties
        return properties

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> bool | float | list[Any] | None | PropertyValueType5 | str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: bool | float | list[Any] | None | PropertyValueType5 | str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
