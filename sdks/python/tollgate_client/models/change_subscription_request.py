from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define


from ..models.timing import Timing


T = TypeVar("T", bound="ChangeSubscriptionRequest")


@_attrs_define
class ChangeSubscriptionRequest:
    """
    Attributes:
        plan (str):
        timing (Timing): `now`: switch at once (the rest of the period is prorated); `period_end`: at renewal.
    """

    plan: str
    timing: Timing

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan

        timing = self.timing.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "plan": plan,
                "timing": timing,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        plan = d.pop("plan")

        timing = Timing(d.pop("timing"))

        change_subscription_request = cls(
            plan=plan,
            timing=timing,
        )

        return change_subscription_request
