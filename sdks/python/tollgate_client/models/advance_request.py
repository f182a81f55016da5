from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define


import datetime


T = TypeVar("T", bound="AdvanceRequest")


@_attrs_define
class AdvanceRequest:
    """
    Attributes:
        to (datetime.datetime): The new "now" (RFC 3339), after the current one.
    """

    to: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        to = self.to.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        to = datetime.datetime.fromisoformat(d.pop("to"))

        advance_request = cls(
            to=to,
        )

        return advance_request
