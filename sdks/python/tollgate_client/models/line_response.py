from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.line_kind import LineKind
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.tier_response import TierResponse


T = TypeVar("T", bound="LineResponse")


@_attrs_define
class LineResponse:
    """
    Attributes:
        kind (LineKind): `subscription`: a base fee; `usage`: a usage charge; `proration`: a plan change's credit or
            charge.
        description (str):
        quantity (str):
        amount (str):
        period_start (datetime.datetime):
        period_end (datetime.datetime):
        feature (None | str | Unset):
        unit_amount (None | str | Unset): Price of one unit of `quantity`; null for graduated charges (see `tiers`).
        tiers (list[TierResponse] | Unset): Graduated and volume charges: the tiers, spelled out.
    """

    kind: LineKind
    description: str
    quantity: str
    amount: str
    period_start: datetime.datetime
    period_end: datetime.datetime
    feature: None | str | Unset = UNSET
    unit_amount: None | str | Unset = UNSET
    tiers: list[TierResponse] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        description = self.description

        quantity = self.quantity

        amount = self.amount

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        feature: None | str | Unset
        if isinstance(self.feature, Unset):
            feature = UNSET
        else:
            feature = self.feature

        unit_amount: None | str | Unset
        if isinstance(self.unit_amount, Unset):
            unit_amount = UNSET
        else:
            unit_amount = self.unit_amount

        tiers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tiers, Unset):
            tiers = []
            for tiers_item_data in self.tiers:
                tiers_item = tiers_item_data.to_dict()
                tiers.append(tiers_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "description": description,
                "quantity": quantity,
                "amount": amount,
                "period_start": period_start,
                "period_end": period_end,
            }
        )
        if feature is not UNSET:
            field_dict["feature"] = feature
        if unit_amount is not UNSET:
            field_dict["unit_amount"] = unit_amount
        if tiers is not UNSET:
            field_dict["tiers"] = tiers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tier_response import TierResponse  # noqa: PLC0415

        d = dict(src_dict)
        kind = LineKind(d.pop("kind"))

        description = d.pop("description")

        quantity = d.pop("quantity")

        amount = d.pop("amount")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        def _parse_feature(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        feature = _parse_feature(d.pop("feature", UNSET))

        def _parse_unit_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit_amount = _parse_unit_amount(d.pop("unit_amount", UNSET))

        _tiers = d.pop("tiers", UNSET)
        tiers: list[TierResponse] | Unset = UNSET
        if _tiers is not UNSET:
            tiers = []
            for tiers_item_data in _tiers:
                tiers_item = TierResponse.from_dict(tiers_item_data)

                tiers.append(tiers_item)

        line_response = cls(
            kind=kind,
            description=description,
            quantity=quantity,
            amount=amount,
            period_start=period_start,
            period_end=period_end,
            feature=feature,
            unit_amount=unit_amount,
            tiers=tiers,
        )

        line_response.additional_properties = d
        return line_response

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
