"""The upload page of the reference files: the file is saved (``territory.uploads``) and imported
by a background job, whose page shows the progress."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from dsfr.forms import DsfrBaseForm

from tne.core.jobs import start_job

from ..importers import KINDS, ImportFileError, detect_kind
from ..perms import can_import_reference_data
from ..uploads import IMPORT_JOB_KIND, save_upload

ALLOWED_SUFFIXES = {".csv", ".txt"}


class ImportUploadForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier CSV",
    )
    kind = forms.ChoiceField(
        label="Type de fichier",
        required=False,
        choices=[("", "Détection automatique d'après l'en-tête")]
        + [(kind, importer.label) for kind, importer in KINDS.items()],
        help_text="Laisser « Détection automatique » sauf si l'en-tête est ambigu.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "Fichier de données ouvertes du ministère, séparé par « ; » ou « , » "
            f"({filesizeformat(settings.TNE_MAX_UPLOAD_BYTES)} au plus)."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("Le fichier doit être un fichier CSV (.csv).")
        return upload


def _too_large_message() -> str:
    return f"Le fichier dépasse {filesizeformat(settings.TNE_MAX_UPLOAD_BYTES)}."


def import_upload(request):
    if not can_import_reference_data(request.user):
        raise PermissionDenied("Seuls le pilotage national et les coordinations importent.")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "upload_too_large", False):
        # The size handler stopped the file while it was read: nothing was written to disk.
        form.is_valid()
        form.errors["file"] = form.error_class([_too_large_message()])
    elif request.method == "POST" and form.is_valid():
        upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"] or None
        path = save_upload(upload)
        try:
            detected = kind or detect_kind(path)
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            form.add_error("kind", "; ".join(error.message for error in exc.errors))
        else:
            job = start_job(
                kind=IMPORT_JOB_KIND,
                label=f"Import de {upload.name} ({KINDS[detected].label})",
                params={"path": str(path), "kind": detected},
                user=request.user,
            )
            return redirect("core:job_detail", job_id=job.pk)
    context = {
        "title": "Importer un fichier de référence",
        "form": form,
        "kinds": [importer.label for importer in KINDS.values()],
        "breadcrumb_data": {"current": "Importer un fichier de référence"},
    }
    return render(request, "territory/import_upload.html", context)
