"""The catalogue pages: the categories and models (filters, search, CSV/XLSX export), a model
created or changed, a category's reference model, the kits with their cost and a kit's
composition with its lines edited. Everyone holding ``equipment.view`` or
``equipment.view_progress`` reads (403 otherwise); ``equipment.edit_catalogue`` edits (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.pages import breadcrumb, paginate
from tne.core.widgets import add_model_errors

from .. import pricing, tabular_exports
from ..catalogue_forms import CatalogueFilterForm, KitItemForm, ModelForm, ReferenceModelForm
from ..models import Category, DeviceModel, KitItem, KitTemplate
from ..perms import can_edit_catalogue, can_view_equipment, can_view_progress
from ..services import catalogue as services

CATALOGUE = "Catalogue"
KITS = "Kits"


def _require_reader(request) -> None:
    if not (can_view_equipment(request.user) or can_view_progress(request.user)):
        raise PermissionDenied("Le catalogue de l'équipement est réservé aux agents.")


def _require_editor(request) -> None:
    _require_reader(request)
    if not can_edit_catalogue(request.user):
        raise PermissionDenied(
            "Seuls le pilotage national et la coordination modifient le catalogue."
        )


def _crumbs(current: str, *links) -> dict:
    return breadcrumb(current, ("Équipement", reverse("equipment:index")), *links)


def _models(filters: dict):
    models = DeviceModel.objects.select_related("category")
    if not filters.get("retired"):
        models = models.active()
    if category := filters.get("category"):
        models = models.filter(category=category)
    if q := filters.get("q"):
        models = models.filter(
            Q(maker__icontains=q) | Q(name__icontains=q) | Q(reference__icontains=q)
        )
    return models.order_by("category__order", "maker", "name", "pk")


@login_required
@require_GET
def catalogue(request):
    _require_reader(request)
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    categories = list(
        Category.objects.select_related("reference_model").annotate(
            active_models=Count("models", filter=Q(models__is_active=True))
        )
    )
    page = paginate(request, _models(filters))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": CATALOGUE,
        "form": form,
        "categories": categories,
        "page_obj": page,
        "filtered": bool(filters),
        "can_edit": can_edit_catalogue(request.user),
        "export_query": f"?{query.urlencode()}" if query else "",
        "breadcrumb_data": _crumbs(CATALOGUE),
    }
    return render(request, "equipment/catalogue/catalogue.html", context)


MODEL_COLUMNS = [
    ("Catégorie", lambda m: m.category.name, 24),
    ("Fabricant", lambda m: m.maker, 18),
    ("Désignation", lambda m: m.name, 36),
    ("Référence", lambda m: m.reference, 18),
    ("Prix unitaire TTC (€)", lambda m: m.unit_price, 16),
    ("Garantie (mois)", lambda m: m.warranty_months, 10),
    ("Au catalogue", lambda m: "oui" if m.is_active else "non", 10),
]


@login_required
@require_GET
def catalogue_export(request, fmt: str):
    _require_reader(request)
    form = CatalogueFilterForm(request.GET or None)
    models = _models(form.filters()).iterator(chunk_size=2000)
    return tabular_exports.response(models, MODEL_COLUMNS, fmt, stem="catalogue", sheet="Modèles")


def _save_model(request, form, write):
    if not form.is_valid():
        return None
    try:
        model = write(form.cleaned_data)
    except ValidationError as error:
        add_model_errors(form, error)
        return None
    messages.success(request, f"Le modèle {model} est enregistré.")
    return redirect("equipment:catalogue")


def _model_page(request, form, title, model=None):
    context = {
        "title": title,
        "form": form,
        "model": model,
        "breadcrumb_data": _crumbs(title, (CATALOGUE, reverse("equipment:catalogue"))),
    }
    return render(request, "equipment/catalogue/model_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def model_create(request):
    _require_editor(request)
    form = ModelForm(request.POST or None, initial={"category": request.GET.get("category")})
    if request.method == "POST":

        def write(data):
            return services.create_model(actor=request.user, **data)

        if saved := _save_model(request, form, write):
            return saved
    return _model_page(request, form, "Ajouter un modèle au catalogue")


@login_required
@require_http_methods(["GET", "POST"])
def model_update(request, model_id: int):
    _require_editor(request)
    model = get_object_or_404(DeviceModel.objects.select_related("category"), pk=model_id)
    initial = {name: getattr(model, name) for name in ModelForm.base_fields}
    form = ModelForm(request.POST or None, initial=initial)
    if request.method == "POST":

        def write(data):
            return services.update_model(actor=request.user, model=model, values=data)

        if saved := _save_model(request, form, write):
            return saved
    return _model_page(request, form, f"Modifier le modèle {model.reference}", model)


@login_required
@require_http_methods(["GET", "POST"])
def category_reference(request, category_id: int):
    _require_editor(request)
    category = get_object_or_404(Category.objects.select_related("reference_model"), pk=category_id)
    form = ReferenceModelForm(
        request.POST or None, category=category, initial={"model": category.reference_model_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_reference_model(
                actor=request.user, category=category, model=form.cleaned_data["model"]
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"Le modèle de référence de {category} est enregistré.")
            return redirect("equipment:catalogue")
    title = f"Modèle de référence de la catégorie {category}"
    context = {
        "title": title,
        "form": form,
        "category": category,
        "breadcrumb_data": _crumbs(title, (CATALOGUE, reverse("equipment:catalogue"))),
    }
    return render(request, "equipment/catalogue/reference_form.html", context)


# --- Kits ------------------------------------------------------------------------------------


def _kits():
    return pricing.with_items(KitTemplate.objects.select_related("measure"))


def _priced(kit: KitTemplate) -> KitTemplate:
    kit.cost = pricing.kit_cost(kit)
    kit.unpriced = [item for item in kit.items.all() if pricing.item_model(item) is None]
    return kit


@login_required
@require_GET
def kit_list(request):
    _require_reader(request)
    kits = [_priced(kit) for kit in _kits()]
    context = {
        "title": KITS,
        "kits": kits,
        "can_edit": can_edit_catalogue(request.user),
        "breadcrumb_data": _crumbs(KITS),
    }
    return render(request, "equipment/catalogue/kit_list.html", context)


KIT_COLUMNS = [
    ("Code", lambda k: k.code, 18),
    ("Kit", lambda k: k.name, 36),
    ("Mesure", lambda k: k.measure.code, 8),
    ("Destinataire", lambda k: k.get_target_display(), 20),
    ("Éléments", lambda k: len(k.items.all()), 10),
    ("Coût TTC (€)", lambda k: k.cost, 16),
    (
        "Non chiffré faute de modèle pour",
        lambda k: ", ".join(str(i.category) for i in k.unpriced),
        36,
    ),
]


@login_required
@require_GET
def kit_export(request, fmt: str):
    _require_reader(request)
    kits = [_priced(kit) for kit in _kits()]
    return tabular_exports.response(kits, KIT_COLUMNS, fmt, stem="kits", sheet="Kits")


def _kit_for(request, kit_id: int) -> KitTemplate:
    _require_reader(request)
    return _priced(get_object_or_404(_kits(), pk=kit_id))


def _kit_page(request, kit, form=None, status=200):
    can_edit = can_edit_catalogue(request.user)
    context = {
        "title": kit.name,
        "kit": kit,
        "items": [
            {
                "item": item,
                "model": pricing.item_model(item),
                "price": pricing.item_unit_price(item),
            }
            for item in kit.items.all()
        ],
        "can_edit": can_edit,
        "form": form or (KitItemForm() if can_edit else None),
        "breadcrumb_data": _crumbs(kit.name, (KITS, reverse("equipment:kit_list"))),
    }
    return render(request, "equipment/catalogue/kit_detail.html", context, status=status)


@login_required
@require_GET
def kit_detail(request, kit_id: int):
    return _kit_page(request, _kit_for(request, kit_id))


@login_required
@require_POST
def kit_item_set(request, kit_id: int):
    kit = _kit_for(request, kit_id)
    _require_editor(request)
    form = KitItemForm(request.POST)
    if form.is_valid():
        try:
            services.set_kit_item(actor=request.user, kit=kit, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, "La ligne du kit est enregistrée.")
            return redirect("equipment:kit_detail", kit_id=kit.pk)
    return _kit_page(request, kit, form, status=400)


@login_required
@require_POST
def kit_item_delete(request, kit_id: int, item_id: int):
    kit = _kit_for(request, kit_id)
    _require_editor(request)
    item = get_object_or_404(KitItem, kit=kit, pk=item_id)
    services.remove_kit_item(actor=request.user, item=item)
    messages.success(request, f"La ligne {item.category} est retirée du kit.")
    return redirect("equipment:kit_detail", kit_id=kit.pk)
