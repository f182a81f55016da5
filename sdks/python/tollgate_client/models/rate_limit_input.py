from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define


T = TypeVar("T", bound="RateLimitInput")


@_attrs_define
class RateLimitInput:
    """
    Attributes:
        limit (int):
        window_seconds (int):
    """

    limit: int
    window_seconds: int

    def to_dict(self) -> dict[str, Any]:
        limit = self.limit

        window_seconds = self.window_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "limit": limit,
                "window_seconds": window_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        limit = d.pop("limit")

        window_seconds = d.pop("window_seconds")

        rate_limit_input = cls(
            limit=limit,
            window_seconds=window_seconds,
        )

        return rate_limit_input
