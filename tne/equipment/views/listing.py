"""What the filtered lists of the equipment pages share (the installations, the new teachers):
a filter form that reads as a dict, the list page (filters, paging, the export links keeping the
filters) and its CSV/XLSX export through :mod:`..tabular_exports`, on the same rows; the
breadcrumb under « Équipement » and the errors of a service on a form.

A list is a :class:`FilteredList`; its two views stay plain functions of the page's module (they
fetch and authorise first, then call :meth:`FilteredList.page` or :meth:`FilteredList.export`)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from dsfr.forms import DsfrBaseForm

from tne.core.pages import breadcrumb, paginate

from .. import tabular_exports

FORMATS = ("csv", "xlsx")
COLUMN_WIDTH = 20


def crumbs(current: str, *links) -> dict:
    """The breadcrumb of a page under « Équipement »."""
    return breadcrumb(current, ("Équipement", reverse("equipment:index")), *links)


def add_errors(form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on ``form``: by field where the form has it, else on the
    form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class FilterForm(DsfrBaseForm):
    """The filters of a list, every field optional: :meth:`filters` is the value of each field
    by name, ``""`` for an empty one, and every one empty for an unbound or invalid form (the
    list is then whole, the form shows its errors)."""

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return dict.fromkeys(self.fields, "")
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


@dataclass(frozen=True)
class FilteredList:
    """A list page and its exports: ``rows(user, **filters)`` the rows a user reads (a
    QuerySet), ``columns`` the export's (title, value of a row) pairs."""

    title: str
    template: str
    form_class: type[FilterForm]
    rows: Callable[..., QuerySet]
    columns: list[tuple[str, Callable]]
    stem: str  # of the export's file name
    sheet: str = ""  # the XLSX sheet's name; the title by default

    def page(self, request, *, prepare: Callable | None = None, **context) -> HttpResponse:
        """The page of the list: the filter form, a page of rows (``prepare(rows)`` marks what
        they show), the export links with the same filters; ``context`` adds to it."""
        form = self.form_class(request.GET or None)
        filters = form.filters()
        page = paginate(request, self.rows(request.user, **filters))
        if prepare is not None:
            prepare(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": self.title,
            "form": form,
            "page_obj": page,
            "filtered": any(filters.values()),
            "export_query": f"?{query.urlencode()}" if query else "",
            "formats": FORMATS,
            "breadcrumb_data": crumbs(self.title),
            **context,
        }
        return render(request, self.template, context)

    def export(self, request, fmt: str):
        """Every row of the list under the request's filters, as ``fmt`` (404 for another
        format), streamed."""
        if fmt not in FORMATS:
            raise Http404("Format inconnu.")
        form = self.form_class(request.GET or None)
        rows = self.rows(request.user, **form.filters())
        return tabular_exports.response(
            rows.iterator(chunk_size=2000),
            [(title, value, COLUMN_WIDTH) for title, value in self.columns],
            fmt,
            stem=self.stem,
            sheet=self.sheet or self.title,
        )
