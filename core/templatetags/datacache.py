"""``{% load datacache %}``: ``{% datacache name key [vary …] %}…{% enddatacache %}`` caches a page body until the
data it read changes (``core.datacache.cached_under_data_version``: the queries made while the body renders are
noted, and a write to any table they named makes the next request render it afresh). The body also depends on
what the view read before rendering it (its context): those tables count too. Outside a GET request the body is
rendered and not kept."""

from django import template

from core.datacache import cached_under_data_version, request_reads

register = template.Library()


class DataCacheNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context):
        before = request_reads()
        if before is None:  # not a GET request: nothing says what the view read, so nothing is kept
            return self.nodelist.render(context)
        parts = tuple(part.resolve(context) for part in self.parts)
        return cached_under_data_version(
            ("fragment", self.name, parts), lambda: self.nodelist.render(context), also_read=before
        )


@register.tag("datacache")
def do_datacache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% datacache name key [vary …] %} takes a name and a key")
    nodelist = parser.parse(("enddatacache",))
    parser.delete_first_token()
    return DataCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
