"""The one error type for business-rule violations (house rule 1)."""

from __future__ import annotations


class BusinessError(Exception):
    """A rule was broken. ``message`` is a full Chinese sentence ending in 。; ``code`` is stable
    for programs; ``field`` names the input field at fault when there is one."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class RowErrors(BusinessError):
    """Several field errors at once (forms, imports): ``errors`` maps field to messages."""

    def __init__(self, errors: dict[str, list[str]], *, code: str = "invalid") -> None:
        first = next((msgs[0] for msgs in errors.values() if msgs), "输入有误。")
        super().__init__(first, code=code, field=next(iter(errors), None))
        self.errors = errors
