from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.properties import Properties


T = TypeVar("T", bound="VerifyRequest")


@_attrs_define
class VerifyRequest:
    """
    Attributes:
        key (str): The customer's API key, as your API received it.
        feature (None | str | Unset): The feature the request uses; without it only the key and subscription are
            checked.
        quantity (float | None | str | Unset):
        event_id (None | str | Unset): Your id for this request: a retry with the same id consumes nothing more.
        timestamp (datetime.datetime | None | Unset): When the usage happened (default now); up to 35 days back and 5
            minutes ahead.
        properties (None | Properties | Unset):
    """

    key: str
    feature: None | str | Unset = UNSET
    quantity: float | None | str | Unset = UNSET
    event_id: None | str | Unset = UNSET
    timestamp: datetime.datetime | None | Unset = UNSET
    properties: None | Properties | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.properties import Properties  # noqa: PLC0415

        key = self.key

        feature: None | str | Unset
        if isinstance(self.feature, Unset):
            feature = UNSET
        else:
            feature = self.feature

        quantity: float | None | str | Unset
        if isinstance(self.quantity, Unset):
            quantity = UNSET
        else:
            quantity = self.quantity

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        timestamp: None | str | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        elif isinstance(self.timestamp, datetime.datetime):
            timestamp = self.timestamp.isoformat()
        else:
            timestamp = self.timestamp

        properties: dict[str, Any] | None | Unset
        if isinstance(self.properties, Unset):
            properties = UNSET
        elif isinstance(self.properties, Properties):
            properties = self.properties.to_dict()
        else:
            properties = self.properties

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
            }
        )
        if feature is not UNSET:
            field_dict["feature"] = feature
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if properties is not UNSET:
            field_dict["properties"] = properties

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.properties import Properties  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        def _parse_feature(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        feature = _parse_feature(d.pop("feature", UNSET))

        def _parse_quantity(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        quantity = _parse_quantity(d.pop("quantity", UNSET))

        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        def _parse_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                timestamp_type_0 = datetime.datetime.fromisoformat(data)

                return timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))

        def _parse_properties(data: object) -> None | Properties | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                properties_type_1 = Properties.from_dict(data)

                return properties_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Properties | Unset, data)

        properties = _parse_properties(d.pop("properties", UNSET))

        verify_request = cls(
            key=key,
            feature=feature,
            quantity=quantity,
            event_id=event_id,
            timestamp=timestamp,
            properties=properties,
        )

        return verify_request
