from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="LedgerCheck")


@_attrs_define
class LedgerCheck:
    """
    Attributes:
        ok (bool):
        transactions (int):
        problems (list[str]):
    """

    ok: bool
    transactions: int
    problems: list[str]

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        transactions = self.transactions

        problems = self.problems

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ok": ok,
                "transactions": transactions,
                "problems": problems,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ok = d.pop("ok")

        transactions = d.pop("transactions")

        problems = cast(list[str], d.pop("problems"))

        ledger_check = cls(
            ok=ok,
            transactions=transactions,
            problems=problems,
        )

        return ledger_check
