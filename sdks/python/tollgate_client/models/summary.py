from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


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
    """

    currency: str
    mrr: str
    arr: str
    subscribers: int
    arpu: str
    overdue: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        mrr = self.mrr

        arr = self.arr

        subscribers = self.subscribers

        arpu = self.arpu

        overdue = self.overdue

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
            }
        )

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

        summary = cls(
            currency=currency,
            mrr=mrr,
            arr=arr,
            subscribers=subscribers,
            arpu=arpu,
            overdue=overdue,
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
