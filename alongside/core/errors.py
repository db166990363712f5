"""Errors the domain layer raises; views and the API turn them into messages."""


class RuleViolation(Exception):
    """A domain rule refused the change; the message says what would fix it."""

    def __init__(self, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing or []


class StaleEdit(RuleViolation):
    """Someone else changed the record since it was read."""
