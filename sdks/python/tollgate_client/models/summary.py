from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="Summary")


@_attrs_define
class Summary:
    """
    Attributes:
        currency (str):
        mrr (str): Monthly recurring revenue now: the sum of subscriptions' monthly amounts while active or
            past due (trials, usage and tax excluded).
        arr (str): 12 × `mrr`.
        subscribers (int): Customers whose MRR is above 0.
        arpu (str): `mrr` ÷ `subscribers` (0 without subscribers).
        overdue (str): The `amount_due` of open invoices past their `due_at`.
        churned_30d (int): Customers who had MRR above 0 thirty days ago and have none now.
        churn_rate_30d (None | str | Unset): `churned_30d` ÷ the customers with MRR above 0 thirty days ago, in percent
            with two
            decimals; null when there were none.
    """

    currency: str
    mrr: str
    arr: str
    subscribers: int
    arpu: str
    overdue: str
    churned_30d: int
    churn_rate_30d: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        mrr = self.mrr

        arr = self.arr

        subscribers = self.subscribers

        arpu = self.arpu

        overdue = self.overdue

        churned_30d = self.churned_30d

        churn_rate_30d: None | str | Unset
        if isinstance(self.churn_rate_30d, Unset):
            churn_rate_30d = UNSET
        else:
            churn_rate_30d = self.churn_rate_30d

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "mrr": mrr,
                "arr": arr,
                "subscribers": subscribers,
                "arpu": arpu,
                "overdue": overdue,
                "churned_30d": churned_30d,
            }
        )
        if churn_rate_30d is not UNSET:
            field_dict["churn_rate_30d"] = churn_rate_30d

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        mrr = d.pop("mrr")

        arr = d.pop("arr")

        subscribers = d.pop("subscribers")

        arpu = d.pop("arpu")

        overdue = d.pop("overdue")

        churned_30d = d.pop("churned_30d")

        def _parse_churn_rate_30d(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        churn_rate_30d = _parse_churn_rate_30d(d.pop("churn_rate_30d", UNSET))

        summary = cls(
            currency=currency,
            mrr=mrr,
            arr=arr,
            subscribers=subscribers,
            arpu=arpu,
            overdue=overdue,
            churned_30d=churned_30d,
            churn_rate_30d=churn_rate_30d,
        )

        summary.additional_properties = d
        return summary

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
