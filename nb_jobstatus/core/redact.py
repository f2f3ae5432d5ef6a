"""Keys never leave in text: every key the package sees is registered here and masked."""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import quote

MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()


def register(secret: str | None) -> None:
    """Remember a key so that ``redact`` masks it wherever it turns up."""
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.update({secret, quote(secret, safe="")})


def redact(text: str) -> str:
    """``text`` with every registered key replaced by ``***``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def contains_secret(text: str) -> bool:
    return any(secret in text for secret in _secrets)


def redact_json(value: Any) -> Any:
    """A decoded JSON value with every registered key masked in its strings."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, dict):
        return {redact(str(k)): redact_json(v) for k, v in value.items()}
    return value


class RedactingFilter(logging.Filter):
    """Masks keys in every record of the ``nb_jobstatus`` loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = redact(record.getMessage())
            record.args = None
        return True


logger = logging.getLogger("nb_jobstatus")
logger.addFilter(RedactingFilter())
