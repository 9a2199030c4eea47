"""Importing a supplier's delivery file: upload → preview (every error by line and column, or
what will be created per order and model) → confirm → a job with its progress (core's job page)
→ its result. A refused upload is deleted at once; the file of a confirmed preview waits for its
job under a signed name, so a form cannot point the job at another file."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from dsfr.forms import DsfrBaseForm

from tne.core.formats import file_size
from tne.core.jobs import start_job
from tne.core.pages import breadcrumb
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of
from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode
from tne.territory.uploads import imports_dir, save_upload

from ..jobs import DELIVERY_JOB_KIND, INVENTORY_JOB_KIND
from ..models import Category
from ..perms import MANAGE_ASSETS, can_manage_assets
from ..services.deliveries import COLUMNS, TAG, check_deliveries
from ..services.inventory import FORMATS, check_inventory

ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx"}
ACCEPT = ".csv,.txt,.xlsx,text/csv"
TITLE = "Importer un fichier de livraison"
SALT = "equipment.delivery_import"


class DeliveryUploadForm(DsfrBaseForm):
    file = forms.FileField(label="Fichier de livraison (CSV ou XLSX)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Taille maximale\u00a0: {file_size(settings.TNE_MAX_UPLOAD_BYTES)}. Formats "
            "acceptés\u00a0: .csv (séparé par «\u00a0;\u00a0» ou «\u00a0,\u00a0») ou .xlsx."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                "Le fichier doit être un fichier CSV (.csv) ou XLSX (.xlsx)."
            )
        return upload


def _require_manager(request):
    """The MANAGE_ASSETS scope of the user; 403 for who holds it nowhere."""
    if not can_manage_assets(request.user):
        raise PermissionDenied("Seuls les gestionnaires du registre des matériels importent.")
    return scope_of(request.user, MANAGE_ASSETS)


def _context(request, **extra):
    return {
        "title": TITLE,
        "columns": COLUMNS,
        "tag_column": TAG,
        "accept": ACCEPT,
        "breadcrumb_data": breadcrumb(TITLE, ("Équipement", reverse("equipment:index"))),
        **extra,
    }


@login_required
def delivery_import(request):
    """The upload and its preview (POST with a file) or the confirmation (POST with a token)."""
    scope = _require_manager(request)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = DeliveryUploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors["file"] = form.error_class(
            [f"Le fichier dépasse {file_size(settings.TNE_MAX_UPLOAD_BYTES)}."]
        )
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        path = save_upload(upload)
        try:
            check = check_deliveries(table_or_path=path, label=name, scope=scope)
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            return render(
                request,
                "equipment/imports/delivery.html",
                _context(request, form=DeliveryUploadForm(), refused=name, errors=exc.errors),
            )
        token = signing.dumps({"path": path.name, "name": name}, salt=SALT)
        return render(
            request,
            "equipment/imports/delivery.html",
            _context(request, form=None, check=check, name=name, token=token),
        )
    return render(request, "equipment/imports/delivery.html", _context(request, form=form))


def _confirm(request):
    try:
        data = signing.loads(request.POST["token"], salt=SALT, max_age=3600)
    except signing.BadSignature:
        raise PermissionDenied(
            "Aperçu expiré ou invalide : déposez le fichier à nouveau."
        ) from None
    path = imports_dir() / Path(data["path"]).name
    if "cancel" in request.POST:
        path.unlink(missing_ok=True)
        return redirect("equipment:delivery_import")
    if not path.is_file():
        raise PermissionDenied("Le fichier de cet aperçu n'existe plus : déposez-le à nouveau.")
    job = start_job(
        kind=DELIVERY_JOB_KIND,
        label=f"Livraison {data['name']}",
        params={"path": str(path), "name": data["name"]},
        user=request.user,
    )
    return redirect("core:job_detail", job_id=job.pk)


# --- inventories exported from Snipe-IT or GLPI ----------------------------------------------

INVENTORY_TITLE = "Importer un inventaire Snipe-IT ou GLPI"
INVENTORY_SALT = "equipment.inventory_import"
STOCK_KINDS = (NodeKind.COUNTRY, NodeKind.REGION, NodeKind.ACADEMIE, NodeKind.DEPARTEMENT)


class InventoryUploadForm(DsfrBaseForm):
    file = forms.FileField(label="Export CSV de Snipe-IT ou de GLPI")
    stock_node = forms.ModelChoiceField(
        label="Stock des matériels sans établissement",
        queryset=TerritoryNode.objects.none(),
        help_text="Un matériel dont le lieu ne donne pas l'UAI d'un établissement entre dans "
        "ce stock.",
    )
    category = forms.ModelChoiceField(
        label="Catégorie des modèles inconnus du catalogue (facultatif)",
        queryset=Category.objects.all(),
        required=False,
        help_text="Sans catégorie, un modèle inconnu est une erreur de sa ligne ; avec une "
        "catégorie, il est ajouté au catalogue (sans prix).",
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock_node"].queryset = TerritoryNode.objects.filter(
            scope.node_q(), kind__in=STOCK_KINDS
        ).order_by("depth", "search_name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".csv", ".txt"}:
            raise forms.ValidationError("Le fichier doit être un export CSV (.csv).")
        return upload


def _inventory_context(**extra):
    return {
        "title": INVENTORY_TITLE,
        "breadcrumb_data": breadcrumb(INVENTORY_TITLE, ("Équipement", reverse("equipment:index"))),
        "formats": [f.label for f in FORMATS.values()],
        **extra,
    }


@login_required
def inventory_import(request):
    scope = _require_manager(request)
    template = "equipment/imports/inventory.html"
    if request.method == "POST" and "token" in request.POST:
        return _confirm_inventory(request)
    form = InventoryUploadForm(request.POST or None, request.FILES or None, scope=scope)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors["file"] = form.error_class(
            [f"Le fichier dépasse {file_size(settings.TNE_MAX_UPLOAD_BYTES)}."]
        )
    elif request.method == "POST" and form.is_valid():
        upload, node = form.cleaned_data["file"], form.cleaned_data["stock_node"]
        category = form.cleaned_data["category"]
        name = Path(upload.name).name
        path = save_upload(upload)
        try:
            check = check_inventory(table_or_path=path, label=name, scope=scope, category=category)
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            return render(
                request, template, _inventory_context(form=form, refused=name, errors=exc.errors)
            )
        token = signing.dumps(
            {
                "path": path.name,
                "name": name,
                "node": node.pk,
                "category": category.pk if category else None,
            },
            salt=INVENTORY_SALT,
        )
        return render(
            request,
            template,
            _inventory_context(
                form=None, check=check, counts=check.counts(), name=name, node=node, token=token
            ),
        )
    return render(request, template, _inventory_context(form=form))


def _confirm_inventory(request):
    try:
        data = signing.loads(request.POST["token"], salt=INVENTORY_SALT, max_age=3600)
    except signing.BadSignature:
        raise PermissionDenied(
            "Aperçu expiré ou invalide : déposez le fichier à nouveau."
        ) from None
    path = imports_dir() / Path(data["path"]).name
    if "cancel" in request.POST:
        path.unlink(missing_ok=True)
        return redirect("equipment:inventory_import")
    if not path.is_file():
        raise PermissionDenied("Le fichier de cet aperçu n'existe plus : déposez-le à nouveau.")
    job = start_job(
        kind=INVENTORY_JOB_KIND,
        label=f"Inventaire {data['name']}",
        params={**data, "path": str(path)},
        user=request.user,
    )
    return redirect("core:job_detail", job_id=job.pk)
