from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from ..models.overage import Overage
from ..models.reset import Reset
from typing import cast

if TYPE_CHECKING:
    from ..models.rate_limit_input import RateLimitInput


T = TypeVar("T", bound="EntitlementInput")


@_attrs_define
class EntitlementInput:
    """An entitlement as sent: `{feature}` (boolean), `{feature, limit?, reset?, overage?}`
    (metered) or `{feature, value}` (config); `rate_limit` on any.

        Attributes:
            feature (str):
            limit (int | None | Unset): Metered: the most usage per `reset` window; absent or null for unlimited.
            reset (None | Reset | Unset):
            overage (None | Overage | Unset):
            value (bool | float | None | str | Unset):
            rate_limit (None | RateLimitInput | Unset):
    """

    feature: str
    limit: int | None | Unset = UNSET
    reset: None | Reset | Unset = UNSET
    overage: None | Overage | Unset = UNSET
    value: bool | float | None | str | Unset = UNSET
    rate_limit: None | RateLimitInput | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.rate_limit_input import RateLimitInput  # noqa: PLC0415

        feature = self.feature

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        reset: None | str | Unset
        if isinstance(self.reset, Unset):
            reset = UNSET
        elif isinstance(self.reset, Reset):
            reset = self.reset.value
        else:
            reset = self.reset

        overage: None | str | Unset
        if isinstance(self.overage, Unset):
            overage = UNSET
        elif isinstance(self.overage, Overage):
            overage = self.overage.value
        else:
            overage = self.overage

        value: bool | float | None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, RateLimitInput):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "feature": feature,
            }
        )
        if limit is not UNSET:
            field_dict["limit"] = limit
        if reset is not UNSET:
            field_dict["reset"] = reset
        if overage is not UNSET:
            field_dict["overage"] = overage
        if value is not UNSET:
            field_dict["value"] = value
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rate_limit_input import RateLimitInput  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        def _parse_reset(data: object) -> None | Reset | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reset_type_1 = Reset(data)

                return reset_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Reset | Unset, data)

        reset = _parse_reset(d.pop("reset", UNSET))

        def _parse_overage(data: object) -> None | Overage | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                overage_type_1 = Overage(data)

                return overage_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Overage | Unset, data)

        overage = _parse_overage(d.pop("overage", UNSET))

        def _parse_value(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        def _parse_rate_limit(data: object) -> None | RateLimitInput | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_1 = RateLimitInput.from_dict(data)

                return rate_limit_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimitInput | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        entitlement_input = cls(
            feature=feature,
            limit=limit,
            reset=reset,
            overage=overage,
            value=value,
            rate_limit=rate_limit,
        )

        return entitlement_input
