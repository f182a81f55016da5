from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="TestClockResponse")


@_attrs_define
class TestClockResponse:
    """
    Attributes:
        now (datetime.datetime):
        jobs_run (int | None | Unset): Billing jobs run on the way (period closings, finalizations, emails).
    """

    now: datetime.datetime
    jobs_run: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        now = self.now.isoformat()

        jobs_run: int | None | Unset
        if isinstance(self.jobs_run, Unset):
            jobs_run = UNSET
        else:
            jobs_run = self.jobs_run

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "now": now,
            }
        )
        if jobs_run is not UNSET:
            field_dict["jobs_run"] = jobs_run

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        now = datetime.datetime.fromisoformat(d.pop("now"))

        def _parse_jobs_run(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        jobs_run = _parse_jobs_run(d.pop("jobs_run", UNSET))

        test_clock_response = cls(
            now=now,
            jobs_run=jobs_run,
        )

        test_clock_response.additional_properties = d
        return test_clock_response

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
