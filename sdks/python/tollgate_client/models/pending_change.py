from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


import datetime


T = TypeVar("T", bound="PendingChange")


@_attrs_define
class PendingChange:
    """
    Attributes:
        plan (str):
        plan_version (int):
        effective_at (datetime.datetime):
    """

    plan: str
    plan_version: int
    effective_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan

        plan_version = self.plan_version

        effective_at = self.effective_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plan": plan,
                "plan_version": plan_version,
                "effective_at": effective_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        plan = d.pop("plan")

        plan_version = d.pop("plan_version")

        effective_at = datetime.datetime.fromisoformat(d.pop("effective_at"))

        pending_change = cls(
            plan=plan,
            plan_version=plan_version,
            effective_at=effective_at,
        )

        pending_change.additional_properties = d
        return pending_change

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
