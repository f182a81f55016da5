from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from ..models.status import Status


T = TypeVar("T", bound="VerifiedSubscription")


@_attrs_define
class VerifiedSubscription:
    """
    Attributes:
        id (str): Identifier, `sub_` followed by 22 base62 characters.
        plan (str):
        status (Status): `trialing` and `active` grant the plan; `past_due` still does while payment is retried;
            `canceled` is final.
    """

    id: str
    plan: str
    status: Status
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        plan = self.plan

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "plan": plan,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        plan = d.pop("plan")

        status = Status(d.pop("status"))

        verified_subscription = cls(
            id=id,
            plan=plan,
            status=status,
        )

        verified_subscription.additional_properties = d
        return verified_subscription

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
