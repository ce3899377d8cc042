"""``{% load datacache %}``: ``{% datacache name key [vary …] [keep=callable] %}…{% enddatacache %}`` caches a page
body until the data it read changes (``core.datacache.cached_fragment``, over ``cached_under_data_version``: the
queries made while the body renders are noted, and a write to any table they named makes the next request render
it afresh). The body also depends on what the view read before rendering it (its context): those tables count too. With ``keep=``, a
callable of the view's taking what moved ({table: its highest id then}), a body whose tables moved is still served
when it says the writes cannot have changed it (a period's summary after a write to another period's reports).
Outside a GET request the body is rendered and not kept."""

from django import template

from core.datacache import cached_fragment, request_reads

register = template.Library()


class DataCacheNode(template.Node):
    def __init__(self, nodelist, name, parts, keep=None):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts
        self.keep = keep

    def render(self, context):
        if request_reads() is None:  # not a GET request: nothing says what the view read, so nothing is kept
            return self.nodelist.render(context)
        parts = tuple(part.resolve(context) for part in self.parts)
        keep = self.keep.resolve(context) if self.keep is not None else None
        if self.keep is not None and not callable(keep):
            # (a plain function in the context is called by the template engine: it needs
            # ``do_not_call_in_templates = True``)
            raise template.TemplateSyntaxError(
                f"{{% datacache {self.name} … keep= %}}: not a callable: {keep!r}"
            )
        return cached_fragment(self.name, parts, lambda: self.nodelist.render(context), keep=keep)


@register.tag("datacache")
def do_datacache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% datacache name key [vary …] %} takes a name and a key")
    keep = None
    if bits[-1].startswith("keep="):
        keep = parser.compile_filter(bits.pop()[len("keep=") :])
    nodelist = parser.parse(("enddatacache",))
    parser.delete_first_token()
    return DataCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]], keep)
