from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


import datetime


T = TypeVar("T", bound="MrrBucket")


@_attrs_define
class MrrBucket:
    """
    Attributes:
        start (datetime.datetime):
        mrr (str): MRR as at the bucket's end.
        subscribers (int): Customers with MRR above 0 as at the bucket's end.
        new (str): Customers from 0 to above 0 who never had MRR before.
        expansion (str): Customers whose MRR grew.
        contraction (str): Customers whose MRR shrank (not to 0).
        churn (str): Customers from above 0 to 0: their MRR at the bucket's start.
        reactivation (str): Customers from 0 to above 0 who had MRR before.
    """

    start: datetime.datetime
    mrr: str
    subscribers: int
    new: str
    expansion: str
    contraction: str
    churn: str
    reactivation: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        mrr = self.mrr

        subscribers = self.subscribers

        new = self.new

        expansion = self.expansion

        contraction = self.contraction

        churn = self.churn

        reactivation = self.reactivation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "mrr": mrr,
                "subscribers": subscribers,
                "new": new,
                "expansion": expansion,
                "contraction": contraction,
                "churn": churn,
                "reactivation": reactivation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        mrr = d.pop("mrr")

        subscribers = d.pop("subscribers")

        new = d.pop("new")

        expansion = d.pop("expansion")

        contraction = d.pop("contraction")

        churn = d.pop("churn")

        reactivation = d.pop("reactivation")

        mrr_bucket = cls(
            start=start,
            mrr=mrr,
            subscribers=subscribers,
            new=new,
            expansion=expansion,
            contraction=contraction,
            churn=churn,
            reactivation=reactivation,
        )

        mrr_bucket.additional_properties = d
        return mrr_bucket

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
