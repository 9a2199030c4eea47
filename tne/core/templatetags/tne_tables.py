"""The DSFR table frame, written once for every table of the site::

    {% load tne_tables %}
    {% table_frame size="sm" bordered=True extra_classes="fr-mb-4w" id="departements" %}
      <table>…</table>
    {% endtable_frame %}

renders the four wrappers that the DSFR (v1.14.4, shipped with django-dsfr 3.6.1) puts around a
``<table>``, the same frame as django-dsfr's own ``dsfr/table.html``::

    <div class="fr-table fr-table--sm fr-table--bordered fr-mb-4w" id="departements">
      <div class="fr-table__wrapper">
        <div class="fr-table__container" tabindex="0">
          <div class="fr-table__content"><table>…</table></div>
        </div>
      </div>
    </div>

Options, all keyword arguments and all optional: ``size`` "sm" (default, ``fr-table--sm``), "md"
(no size class) or "lg" (``fr-table--lg``); ``bordered``, a true value adds
``fr-table--bordered``; ``extra_classes``, more classes on the outer div; ``id`` of the outer div.
Values are literals or template variables and are escaped. An unknown option, a positional
argument, an option given twice or a literal size other than sm/md/lg is a TemplateSyntaxError
when the template is compiled (a size held in a variable is checked when it is rendered).

Why not ``{% dsfr_table %}``: in django-dsfr 3.6.1 it takes only ``caption``, ``header``,
``content`` (a list of rows of cells) and ``extra_classes``. Every body cell is a ``<td>``, while
our tables head their rows with ``<th scope="row">``; the table, its rows and its cells take no
id, class or attribute, while we need ``id="school-table"``, ``<tr id="uai-…">`` (read back from
the htmx fragments), ``class="tne-num"`` cells and an ``fr-sr-only`` caption; the outer div takes
no id; and with ``DSFR_CONTENT_IS_SAFE = False`` every cell is escaped, so a link or a badge in a
cell would have to be built as safe HTML in Python. So the table stays in our templates and only
its frame is shared here.
"""

from django import template
from django.template.base import FilterExpression, kwarg_re
from django.utils.html import format_html

register = template.Library()

SIZE_CLASSES = {"sm": "fr-table--sm", "md": "", "lg": "fr-table--lg"}
OPTIONS = ("size", "bordered", "extra_classes", "id")
# The container is what scrolls sideways on a narrow screen: focusable, so that a keyboard can
# scroll it too (WCAG 2.1.1; axe's « scrollable-region-focusable »).
FRAME = (
    '<div class="{}"{}><div class="fr-table__wrapper">'
    '<div class="fr-table__container" tabindex="0">'
    '<div class="fr-table__content">{}</div></div></div></div>'
)


def _check_size(size) -> None:
    if size not in SIZE_CLASSES:
        raise template.TemplateSyntaxError(
            f"{{% table_frame %}} : taille « {size} » inconnue, choisir parmi "
            f"{', '.join(SIZE_CLASSES)}."
        )


class TableFrameNode(template.Node):
    def __init__(self, nodelist, options: dict[str, FilterExpression]):
        self.nodelist = nodelist
        self.options = options

    def render(self, context) -> str:
        values = {name: expr.resolve(context) for name, expr in self.options.items()}
        size = values.get("size", "sm")
        _check_size(size)
        classes = [
            "fr-table",
            SIZE_CLASSES[size],
            "fr-table--bordered" if values.get("bordered") else "",
            " ".join(str(values.get("extra_classes") or "").split()),
        ]
        outer_id = values.get("id")
        return format_html(
            FRAME,
            " ".join(name for name in classes if name),
            format_html(' id="{}"', outer_id) if outer_id else "",
            self.nodelist.render(context),
        )


@register.tag
def table_frame(parser, token) -> TableFrameNode:
    tag_name, *bits = token.split_contents()
    options: dict[str, FilterExpression] = {}
    for bit in bits:
        name, value = kwarg_re.match(bit).groups()
        if not name:
            raise template.TemplateSyntaxError(
                f"{{% {tag_name} %}} n'accepte que des options nommées (option=valeur), "
                f"pas « {bit} »."
            )
        if name not in OPTIONS:
            raise template.TemplateSyntaxError(
                f"{{% {tag_name} %}} : option « {name} » inconnue, choisir parmi "
                f"{', '.join(OPTIONS)}."
            )
        if name in options:
            raise template.TemplateSyntaxError(f"{{% {tag_name} %}} : option « {name} » répétée.")
        options[name] = parser.compile_filter(value)
    size = options.get("size")
    if size is not None and isinstance(size.var, str) and not size.filters:
        _check_size(size.var)
    nodelist = parser.parse((f"end{tag_name}",))
    parser.delete_first_token()
    return TableFrameNode(nodelist, options)
