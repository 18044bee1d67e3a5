from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LedgerCheck")


@_attrs_define
class LedgerCheck:
    """
    Attributes:
        ok (bool | Unset):
        transactions (int | Unset):
        problems (list[str] | Unset):
    """

    ok: bool | Unset = UNSET
    transactions: int | Unset = UNSET
    problems: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        transactions = self.transactions

        problems: list[str] | Unset = UNSET
        if not isinstance(self.problems, Unset):
            problems = self.problems

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if ok is not UNSET:
            field_dict["ok"] = ok
        if transactions is not UNSET:
            field_dict["transactions"] = transactions
        if problems is not UNSET:
            field_dict["problems"] = problems

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ok = d.pop("ok", UNSET)

        transactions = d.pop("transactions", UNSET)

        problems = cast(list[str], d.pop("problems", UNSET))

        ledger_check = cls(
            ok=ok,
            transactions=transactions,
            problems=problems,
        )

        return ledger_check
