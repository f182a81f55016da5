from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.mode import Mode
from typing import cast

if TYPE_CHECKING:
    from ..models.dunning_settings import DunningSettings
    from ..models.email_settings import EmailSettings


T = TypeVar("T", bound="TenantResponse")


@_attrs_define
class TenantResponse:
    """
    Attributes:
        id (str): Identifier, `ten_` followed by 22 base62 characters.
        name (str):
        mode (Mode): Test or live. Test-mode data is never visible to live credentials, and the reverse.
        invoice_grace_period_seconds (int): How long a closed period's invoice stays a draft (late usage still lands on
            it).
        invoice_due_days (int): Days from an invoice's finalization to its due date.
        dunning (DunningSettings): What happens after an invoice's first failed payment, each step in days from it.
        emails (EmailSettings): Which emails your customers get (all, unless turned off).
        pricing_url (None | str | Unset):
    """

    id: str
    name: str
    mode: Mode
    invoice_grace_period_seconds: int
    invoice_due_days: int
    dunning: DunningSettings
    emails: EmailSettings
    pricing_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        mode = self.mode.value

        invoice_grace_period_seconds = self.invoice_grace_period_seconds

        invoice_due_days = self.invoice_due_days

        dunning = self.dunning.to_dict()

        emails = self.emails.to_dict()

        pricing_url: None | str | Unset
        if isinstance(self.pricing_url, Unset):
            pricing_url = UNSET
        else:
            pricing_url = self.pricing_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "mode": mode,
                "invoice_grace_period_seconds": invoice_grace_period_seconds,
                "invoice_due_days": invoice_due_days,
                "dunning": dunning,
                "emails": emails,
            }
        )
        if pricing_url is not UNSET:
            field_dict["pricing_url"] = pricing_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dunning_settings import DunningSettings  # noqa: PLC0415
        from ..models.email_settings import EmailSettings  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        mode = Mode(d.pop("mode"))

        invoice_grace_period_seconds = d.pop("invoice_grace_period_seconds")

        invoice_due_days = d.pop("invoice_due_days")

        dunning = DunningSettings.from_dict(d.pop("dunning"))

        emails = EmailSettings.from_dict(d.pop("emails"))

        def _parse_pricing_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pricing_url = _parse_pricing_url(d.pop("pricing_url", UNSET))

        tenant_response = cls(
            id=id,
            name=name,
            mode=mode,
            invoice_grace_period_seconds=invoice_grace_period_seconds,
            invoice_due_days=invoice_due_days,
            dunning=dunning,
            emails=emails,
            pricing_url=pricing_url,
        )

        tenant_response.additional_properties = d
        return tenant_response

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
