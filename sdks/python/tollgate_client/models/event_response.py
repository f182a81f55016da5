from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from ..models.mode import Mode
import datetime

if TYPE_CHECKING:
    from ..models.event_response_data import EventResponseData


T = TypeVar("T", bound="EventResponse")


@_attrs_define
class EventResponse:
    """An event, exactly as delivered.

    Attributes:
        id (str): Identifier, `evt_` followed by 22 base62 characters.
        type_ (str):
        created_at (datetime.datetime): On the mode's clock (the test clock in test mode).
        mode (Mode): Test or live. Test-mode data is never visible to live credentials, and the reverse.
        data (EventResponseData): `{object}`: the resource as the API returns it.
    """

    id: str
    type_: str
    created_at: datetime.datetime
    mode: Mode
    data: EventResponseData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        created_at = self.created_at.isoformat()

        mode = self.mode.value

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "created_at": created_at,
                "mode": mode,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_response_data import EventResponseData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        mode = Mode(d.pop("mode"))

        data = EventResponseData.from_dict(d.pop("data"))

        event_response = cls(
            id=id,
            type_=type_,
            created_at=created_at,
            mode=mode,
            data=data,
        )

        event_response.additional_properties = d
        return event_response

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
