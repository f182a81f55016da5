from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.status import Status
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.pending_change import PendingChange


T = TypeVar("T", bound="SubscriptionResponse")


@_attrs_define
class SubscriptionResponse:
    """
    Attributes:
        id (str): Identifier, `sub_` followed by 22 base62 characters.
        customer (str): Identifier, `cus_` followed by 22 base62 characters.
        plan (str):
        plan_version (int):
        status (Status): `trialing` and `active` grant the plan; `past_due` still does while payment is retried;
            `canceled` is final.
        current_period_start (datetime.datetime):
        current_period_end (datetime.datetime):
        cancel_at_period_end (bool):
        created_at (datetime.datetime):
        trial_end (datetime.datetime | None | Unset):
        pending_change (None | PendingChange | Unset):
        canceled_at (datetime.datetime | None | Unset):
        ended_at (datetime.datetime | None | Unset):
    """

    id: str
    customer: str
    plan: str
    plan_version: int
    status: Status
    current_period_start: datetime.datetime
    current_period_end: datetime.datetime
    cancel_at_period_end: bool
    created_at: datetime.datetime
    trial_end: datetime.datetime | None | Unset = UNSET
    pending_change: None | PendingChange | Unset = UNSET
    canceled_at: datetime.datetime | None | Unset = UNSET
    ended_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pending_change import PendingChange  # noqa: PLC0415

        id = self.id

        customer = self.customer

        plan = self.plan

        plan_version = self.plan_version

        status = self.status.value

        current_period_start = self.current_period_start.isoformat()

        current_period_end = self.current_period_end.isoformat()

        cancel_at_period_end = self.cancel_at_period_end

        created_at = self.created_at.isoformat()

        trial_end: None | str | Unset
        if isinstance(self.trial_end, Unset):
            trial_end = UNSET
        elif isinstance(self.trial_end, datetime.datetime):
            trial_end = self.trial_end.isoformat()
        else:
            trial_end = self.trial_end

        pending_change: dict[str, Any] | None | Unset
        if isinstance(self.pending_change, Unset):
            pending_change = UNSET
        elif isinstance(self.pending_change, PendingChange):
            pending_change = self.pending_change.to_dict()
        else:
            pending_change = self.pending_change

        canceled_at: None | str | Unset
        if isinstance(self.canceled_at, Unset):
            canceled_at = UNSET
        elif isinstance(self.canceled_at, datetime.datetime):
            canceled_at = self.canceled_at.isoformat()
        else:
            canceled_at = self.canceled_at

        ended_at: None | str | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        elif isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "plan": plan,
                "plan_version": plan_version,
                "status": status,
                "current_period_start": current_period_start,
                "current_period_end": current_period_end,
                "cancel_at_period_end": cancel_at_period_end,
                "created_at": created_at,
            }
        )
        if trial_end is not UNSET:
            field_dict["trial_end"] = trial_end
        if pending_change is not UNSET:
            field_dict["pending_change"] = pending_change
        if canceled_at is not UNSET:
            field_dict["canceled_at"] = canceled_at
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pending_change import PendingChange  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        plan = d.pop("plan")

        plan_version = d.pop("plan_version")

        status = Status(d.pop("status"))

        current_period_start = datetime.datetime.fromisoformat(d.pop("current_period_start"))

        current_period_end = datetime.datetime.fromisoformat(d.pop("current_period_end"))

        cancel_at_period_end = d.pop("cancel_at_period_end")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_trial_end(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trial_end_type_0 = datetime.datetime.fromisoformat(data)

                return trial_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        trial_end = _parse_trial_end(d.pop("trial_end", UNSET))

        def _parse_pending_change(data: object) -> None | PendingChange | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pending_change_type_1 = PendingChange.from_dict(data)

                return pending_change_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PendingChange | Unset, data)

        pending_change = _parse_pending_change(d.pop("pending_change", UNSET))

        def _parse_canceled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                canceled_at_type_0 = datetime.datetime.fromisoformat(data)

                return canceled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        canceled_at = _parse_canceled_at(d.pop("canceled_at", UNSET))

        def _parse_ended_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ended_at = _parse_ended_at(d.pop("ended_at", UNSET))

        subscription_response = cls(
            id=id,
            customer=customer,
            plan=plan,
            plan_version=plan_version,
            status=status,
            current_period_start=current_period_start,
            current_period_end=current_period_end,
            cancel_at_period_end=cancel_at_period_end,
            created_at=created_at,
            trial_end=trial_end,
            pending_change=pending_change,
            canceled_at=canceled_at,
            ended_at=ended_at,
        )

        subscription_response.additional_properties = d
        return subscription_response

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
