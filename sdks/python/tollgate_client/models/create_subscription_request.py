from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="CreateSubscriptionRequest")


@_attrs_define
class CreateSubscriptionRequest:
    """
    Attributes:
        customer (str): Identifier, `cus_` followed by 22 base62 characters.
        plan (str): The plan's key; the subscription takes its newest version.
        trial_days (int | None | Unset): Overrides the plan's trial; 0 for none.
    """

    customer: str
    plan: str
    trial_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        plan = self.plan

        trial_days: int | None | Unset
        if isinstance(self.trial_days, Unset):
            trial_days = UNSET
        else:
            trial_days = self.trial_days

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "customer": customer,
                "plan": plan,
            }
        )
        if trial_days is not UNSET:
            field_dict["trial_days"] = trial_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        plan = d.pop("plan")

        def _parse_trial_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        trial_days = _parse_trial_days(d.pop("trial_days", UNSET))

        create_subscription_request = cls(
            customer=customer,
            plan=plan,
            trial_days=trial_days,
        )

        return create_subscription_request
