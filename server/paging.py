"""Page sizes and links to the next and previous pages, as the HTML pages use them.

Like Datasette: every list has a page size (`size`, default DEFAULT_SIZE, at most
MAX_SIZE: asking for more gets MAX_SIZE) and links to the neighbouring pages that
keep the rest of the query string.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

DEFAULT_SIZE = 50
MAX_SIZE = 500


def page_size(default: int = DEFAULT_SIZE) -> int:
    """The `size` asked for, within 1..MAX_SIZE (default: `default`)."""
    try:
        size = int(request.args.get("size", default))
    except ValueError:
        size = default
    return max(1, min(size, MAX_SIZE))


def page_number(name: str) -> int:
    """The 1-based page number in parameter `name` (1 if absent or not a number)."""
    try:
        return max(1, int(request.args.get(name, 1)))
    except ValueError:
        return 1


def link(**changes: str | int | None) -> str:
    """This page's path and query string with `changes` (None removes a parameter)."""
    params = {k: v for k, v in request.args.items()}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.path + ("?" + query if query else "")
