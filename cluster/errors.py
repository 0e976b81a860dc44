"""The one error the write path raises: a Kubernetes Status, as the apiserver would answer."""

from typing import Any


class ApiError(Exception):
    """Carries the Status object (code, reason, message, details.causes) of a refused write."""

    def __init__(self, status: dict[str, Any]):
        super().__init__(status.get("message", ""))
        self.status = status

    @property
    def code(self) -> int:
        return int(self.status.get("code", 500))

    @property
    def causes(self) -> list[dict[str, Any]]:
        return (self.status.get("details") or {}).get("causes") or []
