"""{% fragment "name" %}…{% endfragment %}: a part of a page kept in the
fragment cache until the data changes (core.fragments)."""

from django import template

from core import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        return fragments.cached(context.get("request"), self.name, lambda: self.draw(context))

    def draw(self, context) -> str:
        body = context.get(fragments.BODY)
        if body is None:
            return self.nodelist.render(context)
        with context.push(body()):
            return self.nodelist.render(context)


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "'\"" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% fragment "name" %}…{% endfragment %}')
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(bits[1][1:-1], nodelist)
