from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.properties import Properties


T = TypeVar("T", bound="UsageEventRequest")


@_attrs_define
class UsageEventRequest:
    """A usage event. Name the customer by `customer` or by `customer_external_id`.

    Attributes:
        feature (str): A metered feature's key.
        quantity (float | str): A number from 0 to 10^15 with at most 12 decimal places, or the same as a decimal string
            (`"0.25"`; exact, as a JSON number may not be in your client). Whole quantities come back as numbers, fractional
            ones as strings.
        event_id (str): Your id for the event; an id seen before is not counted again, ever.
        customer (None | str | Unset):
        customer_external_id (None | str | Unset):
        timestamp (datetime.datetime | None | Unset): When it happened (default now): up to 35 days back, 5 minutes
            ahead.
        properties (None | Properties | Unset):
    """

    feature: str
    quantity: float | str
    event_id: str
    customer: None | str | Unset = UNSET
    customer_external_id: None | str | Unset = UNSET
    timestamp: datetime.datetime | None | Unset = UNSET
    properties: None | Properties | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.properties import Properties  # noqa: PLC0415

        feature = self.feature

        quantity: float | str
        quantity = self.quantity

        event_id = self.event_id

        customer: None | str | Unset
        if isinstance(self.customer, Unset):
            customer = UNSET
        else:
            customer = self.customer

        customer_external_id: None | str | Unset
        if isinstance(self.customer_external_id, Unset):
            customer_external_id = UNSET
        else:
            customer_external_id = self.customer_external_id

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
                "feature": feature,
                "quantity": quantity,
                "event_id": event_id,
            }
        )
        if customer is not UNSET:
            field_dict["customer"] = customer
        if customer_external_id is not UNSET:
            field_dict["customer_external_id"] = customer_external_id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if properties is not UNSET:
            field_dict["properties"] = properties

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.properties import Properties  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        def _parse_quantity(data: object) -> float | str:
            return cast(float | str, data)

        quantity = _parse_quantity(d.pop("quantity"))

        event_id = d.pop("event_id")

        def _parse_customer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        customer = _parse_customer(d.pop("customer", UNSET))

        def _parse_customer_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        customer_external_id = _parse_customer_external_id(d.pop("customer_external_id", UNSET))

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

        usage_event_request = cls(
            feature=feature,
            quantity=quantity,
            event_id=event_id,
            customer=customer,
            customer_external_id=customer_external_id,
            timestamp=timestamp,
            properties=properties,
        )

        return usage_event_request
