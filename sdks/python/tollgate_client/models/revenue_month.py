from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


import datetime


T = TypeVar("T", bound="RevenueMonth")


@_attrs_define
class RevenueMonth:
    """
    Attributes:
        month (datetime.datetime): The month's start (UTC).
        invoiced (str): Totals (tax included) of the invoices finalized in the month, void ones excepted.
        collected (str): What the invoices paid in the month asked for (`amount_due`).
        usage (str): The usage lines of the invoices finalized in the month.
    """

    month: datetime.datetime
    invoiced: str
    collected: str
    usage: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        month = self.month.isoformat()

        invoiced = self.invoiced

        collected = self.collected

        usage = self.usage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "month": month,
                "invoiced": invoiced,
                "collected": collected,
                "usage": usage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        month = datetime.datetime.fromisoformat(d.pop("month"))

        invoiced = d.pop("invoiced")

        collected = d.pop("collected")

        usage = d.pop("usage")

        revenue_month = cls(
            month=month,
            invoiced=invoiced,
            collected=collected,
            usage=usage,
        )

        revenue_month.additional_properties = d
        return revenue_month

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
