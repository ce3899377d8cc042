"""Walk the project's URLconf so that tests cover every route automatically, including new ones."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

#: Routes outside the portal's own pages (Django admin has its own staff-only checks).
SKIP_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # e.g. "members/<int:pk>/"
    converters: tuple  # names of the path parameters, in order

    def path(self, **kwargs) -> str:
        """The concrete path with `kwargs` substituted for each parameter (unlisted ones get 1)."""
        result = self.pattern
        for key in self.converters:
            value = kwargs.get(key, 1)
            result = re.sub(r"<(?:\w+:)?" + key + r">", str(value), result)
        return "/" + result


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            full = prefix + str(p.pattern)
            if full.startswith(SKIP_PREFIXES) or not p.name:
                continue
            name = f"{namespace}:{p.name}" if namespace else p.name
            converters = tuple(re.findall(r"<(?:\w+:)?(\w+)>", full))
            yield Route(name=name, pattern=full, converters=converters)


def all_routes() -> list[Route]:
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.name)
