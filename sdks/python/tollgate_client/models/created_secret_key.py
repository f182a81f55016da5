from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from ..models.mode import Mode
import datetime


T = TypeVar("T", bound="CreatedSecretKey")


@_attrs_define
class CreatedSecretKey:
    """A secret key just created: the only time `key` is shown.

    Attributes:
        id (str): Identifier, `skey_` followed by 22 base62 characters.
        name (str):
        mode (Mode): Test or live. Test-mode data is never visible to live credentials, and the reverse.
        key (str):
        prefix (str):
        created_at (datetime.datetime):
    """

    id: str
    name: str
    mode: Mode
    key: str
    prefix: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        mode = self.mode.value

        key = self.key

        prefix = self.prefix

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "mode": mode,
                "key": key,
                "prefix": prefix,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        mode = Mode(d.pop("mode"))

        key = d.pop("key")

        prefix = d.pop("prefix")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_secret_key = cls(
            id=id,
            name=name,
            mode=mode,
            key=key,
            prefix=prefix,
            created_at=created_at,
        )

        created_secret_key.additional_properties = d
        return created_secret_key

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
