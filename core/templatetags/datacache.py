"""``{% load datacache %}``: ``{% datacache name key [vary …] %}…{% enddatacache %}`` caches a page body until the
data it read changes (``core.datacache.cached_under_data_version``: the queries made while the body renders are
noted, and a write to any table they named makes the next request render it afresh)."""

from django import template

from core.datacache import cached_under_data_version

register = template.Library()


class DataCacheNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context):
        parts = tuple(part.resolve(context) for part in self.parts)
        return cached_under_data_version(
            ("fragment", self.name, parts), lambda: self.nodelist.render(context)
        )


@register.tag("datacache")
def do_datacache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% datacache name key [vary …] %} takes a name and a key")
    nodelist = parser.parse(("enddatacache",))
    parser.delete_first_token()
    return DataCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
