from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
    from ..models.dunning_update import DunningUpdate
    from ..models.emails_update import EmailsUpdate


T = TypeVar("T", bound="UpdateTenantRequest")


@_attrs_define
class UpdateTenantRequest:
    """The tenant's settings to change; `null` clears `pricing_url`.

    Attributes:
        name (None | str | Unset):
        pricing_url (None | str | Unset): An https:// (or http://) URL, at most 500 characters.
        invoice_grace_period_seconds (int | None | Unset): 0 to 2,592,000 (30 days); default 3,600.
        invoice_due_days (int | None | Unset): 0 to 365; default 30.
        dunning (DunningUpdate | None | Unset):
        emails (EmailsUpdate | None | Unset):
    """

    name: None | str | Unset = UNSET
    pricing_url: None | str | Unset = UNSET
    invoice_grace_period_seconds: int | None | Unset = UNSET
    invoice_due_days: int | None | Unset = UNSET
    dunning: DunningUpdate | None | Unset = UNSET
    emails: EmailsUpdate | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.dunning_update import DunningUpdate  # noqa: PLC0415
        from ..models.emails_update import EmailsUpdate  # noqa: PLC0415

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        pricing_url: None | str | Unset
        if isinstance(self.pricing_url, Unset):
            pricing_url = UNSET
        else:
            pricing_url = self.pricing_url

        invoice_grace_period_seconds: int | None | Unset
        if isinstance(self.invoice_grace_period_seconds, Unset):
            invoice_grace_period_seconds = UNSET
        else:
            invoice_grace_period_seconds = self.invoice_grace_period_seconds

        invoice_due_days: int | None | Unset
        if isinstance(self.invoice_due_days, Unset):
            invoice_due_days = UNSET
        else:
            invoice_due_days = self.invoice_due_days

        dunning: dict[str, Any] | None | Unset
        if isinstance(self.dunning, Unset):
            dunning = UNSET
        elif isinstance(self.dunning, DunningUpdate):
            dunning = self.dunning.to_dict()
        else:
            dunning = self.dunning

        emails: dict[str, Any] | None | Unset
        if isinstance(self.emails, Unset):
            emails = UNSET
        elif isinstance(self.emails, EmailsUpdate):
            emails = self.emails.to_dict()
        else:
            emails = self.emails

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if pricing_url is not UNSET:
            field_dict["pricing_url"] = pricing_url
        if invoice_grace_period_seconds is not UNSET:
            field_dict["invoice_grace_period_seconds"] = invoice_grace_period_seconds
        if invoice_due_days is not UNSET:
            field_dict["invoice_due_days"] = invoice_due_days
        if dunning is not UNSET:
            field_dict["dunning"] = dunning
        if emails is not UNSET:
            field_dict["emails"] = emails

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dunning_update import DunningUpdate  # noqa: PLC0415
        from ..models.emails_update import EmailsUpdate  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_pricing_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pricing_url = _parse_pricing_url(d.pop("pricing_url", UNSET))

        def _parse_invoice_grace_period_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        invoice_grace_period_seconds = _parse_invoice_grace_period_seconds(d.pop("invoice_grace_period_seconds", UNSET))

        def _parse_invoice_due_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        invoice_due_days = _parse_invoice_due_days(d.pop("invoice_due_days", UNSET))

        def _parse_dunning(data: object) -> DunningUpdate | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dunning_type_1 = DunningUpdate.from_dict(data)

                return dunning_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DunningUpdate | None | Unset, data)

        dunning = _parse_dunning(d.pop("dunning", UNSET))

        def _parse_emails(data: object) -> EmailsUpdate | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                emails_type_1 = EmailsUpdate.from_dict(data)

                return emails_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EmailsUpdate | None | Unset, data)

        emails = _parse_emails(d.pop("emails", UNSET))

        update_tenant_request = cls(
            name=name,
            pricing_url=pricing_url,
            invoice_grace_period_seconds=invoice_grace_period_seconds,
            invoice_due_days=invoice_due_days,
            dunning=dunning,
            emails=emails,
        )

        return update_tenant_request
