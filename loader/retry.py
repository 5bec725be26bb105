"""How long to wait before asking a web service again (harvest and Wikidata alike)."""

from __future__ import annotations

import contextlib
import time
from email.utils import parsedate_to_datetime


def retry_wait(attempt: int, retry_after: str | None, backoff: float, most: float) -> float:
    """Seconds to wait before attempt `attempt` + 1, at most `most`.

    Retry-After (seconds or an HTTP date) where the service gave one, else an
    exponential back-off of `backoff` × 2^(attempt-1).
    """
    wait = backoff * 2 ** (attempt - 1)
    if retry_after:
        try:
            wait = float(retry_after)
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):  # neither: back off as usual
                wait = parsedate_to_datetime(retry_after).timestamp() - time.time()
    return min(max(wait, 0.0), most)
