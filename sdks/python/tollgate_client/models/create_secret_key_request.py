from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define


from ..models.mode import Mode


T = TypeVar("T", bound="CreateSecretKeyRequest")


@_attrs_define
class CreateSecretKeyRequest:
    """
    Attributes:
        name (str): 1 to 100 characters.
        mode (Mode): Test or live. Test-mode data is never visible to live credentials, and the reverse.
    """

    name: str
    mode: Mode

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        mode = self.mode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "mode": mode,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        mode = Mode(d.pop("mode"))

        create_secret_key_request = cls(
            name=name,
            mode=mode,
        )

        return create_secret_key_request
