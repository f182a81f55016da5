from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


from ..models.billing import Billing
from ..models.currency import Currency
from ..models.interval import Interval
import datetime

if TYPE_CHECKING:
    from ..models.charge_input import ChargeInput
    from ..models.entitlement_input import EntitlementInput


T = TypeVar("T", bound="PlanResponse")


@_attrs_define
class PlanResponse:
    """A plan as shown: its newest version unless another was asked for.

    Attributes:
        id (str): Identifier, `plan_` followed by 22 base62 characters.
        key (str):
        name (str):
        version (int): The version shown.
        latest_version (int): The plan's newest version.
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        interval (Interval): The unit of a plan's billing period.
        interval_count (int):
        amount (str):
        billing (Billing): When the base fee is billed: at the start of each period (default) or at its end.
        trial_days (int):
        entitlements (list[EntitlementInput]):
        charges (list[ChargeInput]):
        archived (bool):
        created_at (datetime.datetime):
        version_created_at (datetime.datetime):
    """

    id: str
    key: str
    name: str
    version: int
    latest_version: int
    currency: Currency
    interval: Interval
    interval_count: int
    amount: str
    billing: Billing
    trial_days: int
    entitlements: list[EntitlementInput]
    charges: list[ChargeInput]
    archived: bool
    created_at: datetime.datetime
    version_created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        key = self.key

        name = self.name

        version = self.version

        latest_version = self.latest_version

        currency = self.currency.value

        interval = self.interval.value

        interval_count = self.interval_count

        amount = self.amount

        billing = self.billing.value

        trial_days = self.trial_days

        entitlements = []
        for entitlements_item_data in self.entitlements:
            entitlements_item = entitlements_item_data.to_dict()
            entitlements.append(entitlements_item)

        charges = []
        for charges_item_data in self.charges:
            charges_item = charges_item_data.to_dict()
            charges.append(charges_item)

        archived = self.archived

        created_at = self.created_at.isoformat()

        version_created_at = self.version_created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "key": key,
                "name": name,
                "version": version,
                "latest_version": latest_version,
                "currency": currency,
                "interval": interval,
                "interval_count": interval_count,
                "amount": amount,
                "billing": billing,
                "trial_days": trial_days,
                "entitlements": entitlements,
                "charges": charges,
                "archived": archived,
                "created_at": created_at,
                "version_created_at": version_created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.charge_input import ChargeInput  # noqa: PLC0415
        from ..models.entitlement_input import EntitlementInput  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        key = d.pop("key")

        name = d.pop("name")

        version = d.pop("version")

        latest_version = d.pop("latest_version")

        currency = Currency(d.pop("currency"))

        interval = Interval(d.pop("interval"))

        interval_count = d.pop("interval_count")

        amount = d.pop("amount")

        billing = Billing(d.pop("billing"))

        trial_days = d.pop("trial_days")

        entitlements = []
        _entitlements = d.pop("entitlements")
        for entitlements_item_data in _entitlements:
            entitlements_item = EntitlementInput.from_dict(entitlements_item_data)

            entitlements.append(entitlements_item)

        charges = []
        _charges = d.pop("charges")
        for charges_item_data in _charges:
            charges_item = ChargeInput.from_dict(charges_item_data)

            charges.append(charges_item)

        archived = d.pop("archived")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        version_created_at = datetime.datetime.fromisoformat(d.pop("version_created_at"))

        plan_response = cls(
            id=id,
            key=key,
            name=name,
            version=version,
            latest_version=latest_version,
            currency=currency,
            interval=interval,
            interval_count=interval_count,
            amount=amount,
            billing=billing,
            trial_days=trial_days,
            entitlements=entitlements,
            charges=charges,
            archived=archived,
            created_at=created_at,
            version_created_at=version_created_at,
        )

        plan_response.additional_properties = d
        return plan_response

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
