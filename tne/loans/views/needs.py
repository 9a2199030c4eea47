"""The pages of pupils and needs (M6).

- ``pupils``: a school's pupils (``loans.view`` or ``loans.declare_needs`` there), filtered by
  class, level and declaration, each with its priority as its breakdown; paged.
- ``pupil``: one pupil, its declaration and priority, its loans (each a link to its page, where
  the user reads loans), the way to link a parent's account (``loans:family_links``), the
  guardian's contact behind « Afficher les coordonnées » (a POST to ``pupil_contact`` that logs
  the reading, ``loans.read_contact``);
  ``pupil_create``, ``pupil_edit``, ``pupil_contact_edit`` write (``loans.declare_needs``, the
  contact ``loans.read_contact``).
- ``class_needs``: the bulk entry of a class, one row per pupil, keyboard only (Enter saves,
  « Ajouter 5 lignes »), all or nothing with the errors by row and field.
- ``needs_import``: a file of declarations for the school (or one class): upload → preview →
  confirmation.

A school outside the reach is a 404, a missing permission a 403."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.exports import csv_response
from tne.core.formats import fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.rowerrors import ImportFileError
from tne.core.scope import holds
from tne.territory.enums import Stage
from tne.territory.models import SchoolClass, class_order_key
from tne.territory.uploads import imports_dir, save_upload

from ..forms.needs import ContactForm, EntryFormSet, PupilFilterForm, PupilForm, UploadForm
from ..models import GuardianContact, Pupil
from ..perms import DECLARE_NEEDS, VIEW, can_declare_needs, can_read_contact
from ..selectors.loans import readable_loans
from ..selectors.pupils import (
    Filters,
    breakdown_of,
    need_of,
    pupils_of,
    readable_pupils,
    readable_schools,
    readable_schools_q,
    rows_of,
)
from ..selectors.rules import weights_for_school
from ..services import contacts as contact_services
from ..services import pupils as services
from ..services.families import can_link_family
from ..services.pupils import FIELD_LABELS, Entry, EntryErrors

EXPIRED = "Aperçu expiré ou invalide\u00a0: déposez le fichier à nouveau."
GONE = "Le fichier de cet aperçu n'existe plus\u00a0: déposez-le à nouveau."
TITLE = "Élèves et besoins"
ROWS_TO_ADD = 5
IMPORT_SALT = "loans.needs_import"
READ_PURPOSE = "Consultation depuis la fiche de l'élève"


# --- Fetch and authorise -----------------------------------------------------------------------


def _require_reader(request) -> None:
    if not (holds(request.user, VIEW) or holds(request.user, DECLARE_NEEDS)):
        raise PermissionDenied(
            "Les besoins des élèves sont réservés aux écoles et à leurs autorités."
        )


def _school(request, school_id: int):
    _require_reader(request)
    schools = readable_schools(request.user).select_related("commune", "circonscription")
    return get_object_or_404(schools, pk=school_id)


def _pupil(request, pupil_id: int) -> Pupil:
    _require_reader(request)
    pupils = readable_pupils(request.user).select_related(
        "school__commune", "school__circonscription", "school_class", "need", "guardian"
    )
    return get_object_or_404(pupils, pk=pupil_id)


def _require_declarer(request, school) -> None:
    if not can_declare_needs(request.user, school):
        raise PermissionDenied("Seule la direction de l'école déclare les besoins de ses élèves.")


def _require_contact_reader(request, school) -> None:
    if not can_read_contact(request.user, school):
        raise PermissionDenied(
            "Seules la direction de l'école et la coordination M6 lisent et saisissent les "
            "coordonnées des responsables légaux."
        )


def _id_param(value: str) -> int | None:
    """An id from the query string, or None (not digits, or beyond what a database holds)."""
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def _classes(school) -> list[SchoolClass]:
    return sorted(services.classes_for_needs(school).select_related("year"), key=class_order_key)


def _crumbs(current: str, school=None) -> dict:
    links = []
    if school is not None:
        links.append((f"{TITLE} — {school.name}", reverse("loans:pupils", args=[school.pk])))
    return breadcrumb(current, *links)


def _field_errors(form, errors: dict[str, list[str]], fields=()) -> None:
    """Puts a service's errors (field → sentences) on ``form``'s fields, else on the form."""
    for name, sentences in errors.items():
        for sentence in sentences:
            sentence = fr_typo(sentence[:1].upper() + sentence[1:])
            form.add_error(name if name in fields else None, sentence)


# --- A school's pupils -------------------------------------------------------------------------


@login_required
@require_GET
def pupils(request, school_id: int):
    school = _school(request, school_id)
    classes = _classes(school)
    form = PupilFilterForm(request.GET or None, classes=classes)
    filters = Filters(**form.filters())
    page = paginate(request, pupils_of(school, filters))
    applied = weights_for_school(school)
    totals = Pupil.objects.filter(school=school).aggregate(
        pupils=Count("pk"), declared=Count("need")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": f"{TITLE} — {school.name}",
        "school": school,
        "classes": classes,
        "form": form,
        "filtered": filters.any,
        "page_obj": page,
        "rows": rows_of(page.object_list, school, applied.weights),
        "weights_node": applied.node,
        "totals": totals,
        "query": query.urlencode(),
        "may_declare": can_declare_needs(request.user, school),
        "breadcrumb_data": _crumbs(f"{TITLE} — {school.name}"),
    }
    return render(request, "loans/needs/pupils.html", context)


# --- One pupil ---------------------------------------------------------------------------------


def _pupil_context(request, pupil: Pupil, **extra) -> dict:
    school = pupil.school
    applied = weights_for_school(school)
    need = need_of(pupil)
    lines = breakdown_of(need, school, applied.weights)
    try:
        guardian = pupil.guardian
    except GuardianContact.DoesNotExist:
        guardian = None
    return {
        "title": f"Élève {pupil.code}",
        "pupil": pupil,
        "school": school,
        "need": need,
        "lines": lines,
        "score": None if lines is None else sum(line.points for line in lines),
        "weights_node": applied.node,
        "guardian": guardian,
        "may_declare": can_declare_needs(request.user, school),
        "may_read_contact": can_read_contact(request.user, school),
        # The pupil's loans where the user reads loans (``loans.view`` or ``loans.hand_out``
        # there): the way to a loan's page, to record the family's answer.
        "loans": list(
            readable_loans(request.user)
            .filter(pupil=pupil)
            .select_related("category", "asset")
            .order_by("-offered_at", "-pk")
        ),
        "may_link_family": can_link_family(request.user, school),
        "breadcrumb_data": _crumbs(f"Élève {pupil.code}", school),
        **extra,
    }


@login_required
@require_GET
def pupil(request, pupil_id: int):
    return render(
        request, "loans/needs/pupil.html", _pupil_context(request, _pupil(request, pupil_id))
    )


@never_cache
@login_required
@require_POST
def pupil_contact(request, pupil_id: int):
    """« Afficher les coordonnées »: opens the contact (the reading is logged) and shows it on
    the pupil's page; never cached."""
    pupil = _pupil(request, pupil_id)
    _require_contact_reader(request, pupil.school)
    contact = contact_services.open_contact(user=request.user, pupil=pupil, purpose=READ_PURPOSE)
    context = _pupil_context(request, pupil, contact=contact, revealed=True)
    if request.htmx:
        return render(request, "loans/needs/pupil.html#contact", context)
    return render(request, "loans/needs/pupil.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pupil_contact_edit(request, pupil_id: int):
    pupil = _pupil(request, pupil_id)
    _require_contact_reader(request, pupil.school)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "delete":
        if contact_services.delete_contact(pupil=pupil, actor=request.user):
            messages.success(request, "Les coordonnées du responsable légal sont effacées.")
        return redirect("loans:pupil", pupil_id=pupil.pk)
    if request.method == "POST" and form.is_valid():
        try:
            contact_services.set_contact(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _field_errors(form, error.message_dict, fields=form.fields)
        else:
            messages.success(
                request, "Les coordonnées du responsable légal sont enregistrées, chiffrées."
            )
            return redirect("loans:pupil", pupil_id=pupil.pk)
    context = _pupil_context(request, pupil, form=form)
    context["title"] = f"Responsable légal de l'élève {pupil.code}\u00a0: coordonnées"
    context["breadcrumb_data"] = _crumbs(context["title"], pupil.school)
    return render(request, "loans/needs/contact_form.html", context)


def _save_pupil(request, form, school, pupil=None):
    """The pupil and its declaration in one batch of one row (all or nothing); the new or
    edited pupil, or None with the errors on the form."""
    data = form.cleaned_data
    entry = Entry(
        row=1,
        code=data["code"] or "",
        level=data["level"] or "",
        school_class=data["school_class"],
        devices_at_home=data["devices_at_home"] or "",
        shared_with=data["shared_with"],
        internet_at_home=data["internet_at_home"] or "",
        pupil_id=pupil.pk if pupil else None,
    )
    try:
        result = services.save_entries(school=school, entries=[entry], actor=request.user)
    except EntryErrors as exc:
        _field_errors(form, exc.errors.get(1, {}), fields=form.fields)
        return None
    return result.planned[0].pupil


@login_required
@require_http_methods(["GET", "POST"])
def pupil_create(request, school_id: int):
    school = _school(request, school_id)
    _require_declarer(request, school)
    classes = services.classes_for_needs(school)
    class_id = _id_param(request.GET.get("classe", ""))
    initial = {"school_class": classes.filter(pk=class_id).first()} if class_id else {}
    form = PupilForm(request.POST or None, classes=classes, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = _save_pupil(request, form, school)
        if created is not None:
            messages.success(request, f"L'élève {created.code} est ajouté.")
            return redirect("loans:pupil", pupil_id=created.pk)
    title = "Ajouter un élève"
    context = {
        "title": title,
        "school": school,
        "form": form,
        "breadcrumb_data": _crumbs(title, school),
        "cancel_url": reverse("loans:pupils", args=[school.pk]),
    }
    return render(request, "loans/needs/pupil_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pupil_edit(request, pupil_id: int):
    pupil = _pupil(request, pupil_id)
    school = pupil.school
    _require_declarer(request, school)
    need = need_of(pupil)
    initial = {"code": pupil.code, "level": pupil.level, "school_class": pupil.school_class}
    if need is not None:
        initial.update(
            devices_at_home=need.devices_at_home,
            shared_with=need.shared_with,
            internet_at_home=need.internet_at_home,
        )
    form = PupilForm(
        request.POST or None, classes=services.classes_for_needs(school), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_pupil(request, form, school, pupil)
        if saved is not None:
            messages.success(request, f"L'élève {saved.code} est enregistré.")
            return redirect("loans:pupil", pupil_id=saved.pk)
    title = f"Modifier l'élève {pupil.code}"
    context = {
        "title": title,
        "school": school,
        "pupil": pupil,
        "form": form,
        "breadcrumb_data": _crumbs(title, school),
        "cancel_url": reverse("loans:pupil", args=[pupil.pk]),
    }
    return render(request, "loans/needs/pupil_form.html", context)


# --- The bulk entry of a class -----------------------------------------------------------------


def _class_for_needs(request, class_id: int) -> SchoolClass:
    _require_reader(request)
    year = services.current_year()
    classes = SchoolClass.objects.filter(
        readable_schools_q(request.user, "school__"),
        school__kind__in=services.SCHOOL_KINDS,
        year=year,
        stage=Stage.ELEMENTARY,
    ).select_related("school__commune", "year")
    school_class = get_object_or_404(classes, pk=class_id)
    _require_declarer(request, school_class.school)
    return school_class


def _blank_row(school_class) -> dict:
    levels = [lvl for lvl in school_class.levels if lvl in dict(services.LEVEL_CHOICES)]
    return {"level": levels[0]} if len(levels) == 1 else {}


def _saved_rows(school_class) -> list[dict]:
    rows = []
    for pupil in (
        Pupil.objects.filter(school_class=school_class).select_related("need").order_by("code")
    ):
        need = need_of(pupil)
        rows.append(
            {
                "pupil": pupil.pk,
                "code": pupil.code,
                "level": pupil.level,
                "devices_at_home": need.devices_at_home if need else "",
                "shared_with": need.shared_with if need else None,
                "internet_at_home": need.internet_at_home if need else "",
            }
        )
    return rows


def _posted_rows(formset) -> list[dict]:
    """What the person typed, row by row, as it was posted (to render it again)."""
    return [{name: form[name].value() for name in form.fields} for form in formset.forms]


def _entries(formset, school_class) -> list[Entry]:
    entries = []
    for index, form in enumerate(formset.forms, start=1):
        if form.is_blank():
            continue
        data = form.cleaned_data
        entries.append(
            Entry(
                row=index,
                code=data.get("code") or "",
                level=data.get("level") or "",
                school_class=school_class,
                devices_at_home=data.get("devices_at_home") or "",
                shared_with=data.get("shared_with"),
                internet_at_home=data.get("internet_at_home") or "",
                pupil_id=data.get("pupil"),
            )
        )
    return entries


def _error_summary(formset) -> list[dict]:
    """Every error of the table, with the row and the field it belongs to (links of the
    summary)."""
    summary = []
    for index, form in enumerate(formset.forms, start=1):
        for name, errors in form.errors.items():
            for error in errors:
                field_id = form[name].auto_id if name in form.fields else ""
                if name == "pupil" or name == "__all__":
                    field_id = form["code"].auto_id
                label = FIELD_LABELS.get(name, "")
                summary.append({"row": index, "label": label, "message": error, "id": field_id})
    for error in formset.non_form_errors():
        summary.append({"row": None, "label": "", "message": error, "id": ""})
    return summary


@login_required
@require_http_methods(["GET", "POST"])
def class_needs(request, class_id: int):
    school_class = _class_for_needs(request, class_id)
    school = school_class.school
    action = request.POST.get("action", "save")
    focus = None
    summary = []
    if request.method == "POST" and action == "add":
        rows = _posted_rows(EntryFormSet(request.POST))
        focus = len(rows)
        rows += [_blank_row(school_class) for _ in range(ROWS_TO_ADD)]
        formset = EntryFormSet(initial=rows[: EntryFormSet.absolute_max])
    elif request.method == "POST":
        formset = EntryFormSet(request.POST)
        if formset.is_valid():
            try:
                result = services.save_entries(
                    school=school, entries=_entries(formset, school_class), actor=request.user
                )
            except EntryErrors as exc:
                for row, errors in exc.errors.items():
                    form = formset.forms[row - 1]
                    _field_errors(form, errors, fields=form.fields)
            else:
                messages.success(
                    request, fr_typo(f"Classe {school_class.name} : {result.sentence()}.")
                )
                return redirect("loans:class_needs", class_id=school_class.pk)
        summary = _error_summary(formset)
    else:
        rows = _saved_rows(school_class) + [_blank_row(school_class) for _ in range(ROWS_TO_ADD)]
        formset = EntryFormSet(initial=rows)
    for index, form in enumerate(formset.forms):
        form.autofocus = index == focus
    context = {
        "title": f"Besoins de la classe {school_class.name}",
        "school": school,
        "school_class": school_class,
        "formset": formset,
        "summary": summary,
        "focus": focus,
        "rows_to_add": ROWS_TO_ADD,
        "breadcrumb_data": _crumbs(f"Classe {school_class.name}", school),
    }
    if request.htmx:
        return render(request, "loans/needs/class_needs.html#entry-form", context)
    return render(request, "loans/needs/class_needs.html", context)


# --- A file of declarations --------------------------------------------------------------------


def _import_class(school, request) -> SchoolClass | None:
    value = request.GET.get("classe") or request.POST.get("classe") or ""
    if not value:
        return None
    class_id = _id_param(value)
    if class_id is None:
        raise Http404("Classe inconnue.")
    return get_object_or_404(services.classes_for_needs(school), pk=class_id)


@login_required
@require_http_methods(["GET", "POST"])
def needs_import(request, school_id: int):
    school = _school(request, school_id)
    _require_declarer(request, school)
    school_class = _import_class(school, request)
    context = {
        "title": "Importer des déclarations de besoins",
        "school": school,
        "school_class": school_class,
        "columns": services.COLUMNS,
        "breadcrumb_data": _crumbs("Importer des déclarations", school),
    }
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request, school, school_class)
    form = UploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors["file"] = form.error_class(["Le fichier dépasse la taille maximale."])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        path = save_upload(upload)
        try:
            check = services.check_needs_file(
                path, label=name, school=school, school_class=school_class
            )
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            context.update(form=UploadForm(), refused=name, errors=exc.errors)
            return render(request, "loans/needs/import.html", context)
        token = signing.dumps(
            {"path": path.name, "name": name, "school": school.pk}, salt=IMPORT_SALT
        )
        context.update(form=None, check=check, counts=check.counts(), name=name, token=token)
        return render(request, "loans/needs/import.html", context)
    context["form"] = form
    return render(request, "loans/needs/import.html", context)


def _confirm_import(request, school, school_class):
    try:
        data = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=3600)
    except signing.BadSignature:
        raise PermissionDenied(EXPIRED) from None
    if data.get("school") != school.pk:
        raise PermissionDenied("Cet aperçu est celui d'une autre école.")
    path = imports_dir() / Path(data["path"]).name
    back = reverse("loans:needs_import", args=[school.pk])
    if school_class is not None:
        back += f"?classe={school_class.pk}"
    if "cancel" in request.POST:
        path.unlink(missing_ok=True)
        return redirect(back)
    if not path.is_file():
        raise PermissionDenied(GONE)
    try:
        result = services.import_needs_file(
            path, label=data["name"], actor=request.user, school=school, school_class=school_class
        )
    except ImportFileError as exc:
        context = {
            "title": "Importer des déclarations de besoins",
            "school": school,
            "school_class": school_class,
            "columns": services.COLUMNS,
            "form": UploadForm(),
            "refused": data["name"],
            "errors": exc.errors,
            "breadcrumb_data": _crumbs("Importer des déclarations", school),
        }
        return render(request, "loans/needs/import.html", context)
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, fr_typo(f"Fichier « {data['name']} » importé : {result.sentence()}."))
    target = reverse("loans:pupils", args=[school.pk])
    if school_class is not None:
        target += f"?classe={school_class.pk}"
    return redirect(target)


@login_required
@require_GET
def needs_template(request):
    """The file to fill: its columns and three example lines."""
    if not holds(request.user, DECLARE_NEEDS):
        raise PermissionDenied("Seules les directions d'école déclarent les besoins.")
    return csv_response(
        list(services.COLUMNS), services.EXAMPLE_ROWS, filename="modele-besoins-prets.csv"
    )
