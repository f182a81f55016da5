from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.feature_type import FeatureType
from ..models.overage import Overage
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.rate_limit_spec import RateLimitSpec


T = TypeVar("T", bound="EntitlementResponse")


@_attrs_define
class EntitlementResponse:
    """
    Attributes:
        feature (str):
        type_ (FeatureType): `boolean`: has it or not. `metered`: counted, limited and billed by usage. `config`: a
            value.
        has_access (bool):
        limit (int | None | Unset): Metered: the limit per window, null when unlimited.
        used (int | None | Unset): Metered: usage in the current window.
        remaining (int | None | Unset): Metered: what is left in the window, null when unlimited.
        resets_at (datetime.datetime | None | Unset): Metered: when the window starts over (null for `never` or
            unlimited).
        value (bool | float | None | str | Unset):
        rate_limit (None | RateLimitSpec | Unset):
        overage (None | Overage | Unset):
    """

    feature: str
    type_: FeatureType
    has_access: bool
    limit: int | None | Unset = UNSET
    used: int | None | Unset = UNSET
    remaining: int | None | Unset = UNSET
    resets_at: datetime.datetime | None | Unset = UNSET
    value: bool | float | None | str | Unset = UNSET
    rate_limit: None | RateLimitSpec | Unset = UNSET
    overage: None | Overage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.rate_limit_spec import RateLimitSpec  # noqa: PLC0415

        feature = self.feature

        type_ = self.type_.value

        has_access = self.has_access

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        used: int | None | Unset
        if isinstance(self.used, Unset):
            used = UNSET
        else:
            used = self.used

        remaining: int | None | Unset
        if isinstance(self.remaining, Unset):
            remaining = UNSET
        else:
            remaining = self.remaining

        resets_at: None | str | Unset
        if isinstance(self.resets_at, Unset):
            resets_at = UNSET
        elif isinstance(self.resets_at, datetime.datetime):
            resets_at = self.resets_at.isoformat()
        else:
            resets_at = self.resets_at

        value: bool | float | None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, RateLimitSpec):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        overage: None | str | Unset
        if isinstance(self.overage, Unset):
            overage = UNSET
        elif isinstance(self.overage, Overage):
            overage = self.overage.value
        else:
            overage = self.overage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "feature": feature,
                "type": type_,
                "has_access": has_access,
            }
        )
        if limit is not UNSET:
            field_dict["limit"] = limit
        if used is not UNSET:
            field_dict["used"] = used
        if remaining is not UNSET:
            field_dict["remaining"] = remaining
        if resets_at is not UNSET:
            field_dict["resets_at"] = resets_at
        if value is not UNSET:
            field_dict["value"] = value
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if overage is not UNSET:
            field_dict["overage"] = overage

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rate_limit_spec import RateLimitSpec  # noqa: PLC0415

        d = dict(src_dict)
        feature = d.pop("feature")

        type_ = FeatureType(d.pop("type"))

        has_access = d.pop("has_access")

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        def _parse_used(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        used = _parse_used(d.pop("used", UNSET))

        def _parse_remaining(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        remaining = _parse_remaining(d.pop("remaining", UNSET))

        def _parse_resets_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resets_at_type_0 = datetime.datetime.fromisoformat(data)

                return resets_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        resets_at = _parse_resets_at(d.pop("resets_at", UNSET))

        def _parse_value(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        def _parse_rate_limit(data: object) -> None | RateLimitSpec | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_1 = RateLimitSpec.from_dict(data)

                return rate_limit_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimitSpec | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

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

        entitlement_response = cls(
            feature=feature,
            type_=type_,
            has_access=has_access,
            limit=limit,
            used=used,
            remaining=remaining,
            resets_at=resets_at,
            value=value,
            rate_limit=rate_limit,
            overage=overage,
        )

        entitlement_response.additional_properties = d
        return entitlement_response

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
