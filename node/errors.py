"""What a validator tells a client that it did not act on a request."""

from __future__ import annotations


class ClientError(Exception):
    """Refused: nothing was done (a malformed request, a query this role may not ask)."""


class Busy(ClientError):
    """A validator at its admission bound: nothing was ordered; the client may retry after
    ``retry_after_ms`` (sent with the error as ``"busy": true, "retry_after_ms"``)."""

    def __init__(self, retry_after_ms: int) -> None:
        super().__init__("the network is busy: retry shortly")
        self.retry_after_ms = retry_after_ms
