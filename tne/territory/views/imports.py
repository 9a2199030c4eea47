"""The upload page of the reference files: the file is saved (``territory.uploads``) and imported
by a background job, whose page shows the progress; below the form, the last imports."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from dsfr.forms import DsfrBaseForm

from tne.core.formats import plural
from tne.core.jobs import start_job
from tne.core.models import Job, JobStatus
from tne.core.pages import breadcrumb
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of

from ..importers import KINDS, KindError, detect_kind, importers_for
from ..perms import IMPORT_REFERENCE, can_import_reference_data
from ..uploads import IMPORT_JOB_KIND, recent_imports, save_upload

ALLOWED_SUFFIXES = {".csv", ".txt"}
TITLE = "Importer un fichier de référence"


class ImportUploadForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier CSV",
    )
    kind = forms.ChoiceField(
        label="Type de fichier",
        required=False,
        help_text="Laisser « Détection automatique » sauf si l'en-tête est ambigu.",
    )

    def __init__(self, *args, importers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "Fichier de données ouvertes du ministère, séparé par « ; » ou « , » "
            f"({filesizeformat(settings.TNE_MAX_UPLOAD_BYTES)} au plus)."
        )
        self.fields["kind"].choices = [("", "Détection automatique d'après l'en-tête")] + [
            (importer.kind, importer.label) for importer in importers
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("Le fichier doit être un fichier CSV (.csv).")
        return upload


def _too_large_message() -> str:
    return f"Le fichier dépasse {filesizeformat(settings.TNE_MAX_UPLOAD_BYTES)}."


def _summary(job: Job) -> str:
    """What an import did, in a few words: its counters, or its first error."""
    if job.status == JobStatus.FAILED:
        lines = [line.strip() for line in job.message.splitlines() if line.strip()]
        errors = [line.removeprefix("- ") for line in lines if line.startswith("- ")]
        return (errors or lines or ["Échec sans message."])[0]
    if job.status != JobStatus.SUCCEEDED:
        return ""
    result = job.result
    parts = [
        plural(result.get("created", 0), "créé|créés"),
        plural(result.get("updated", 0), "mis à jour|mis à jour"),
        plural(result.get("unchanged", 0), "inchangé|inchangés"),
    ]
    if result.get("out_of_scope"):
        parts.append(
            plural(result["out_of_scope"], "hors de votre périmètre|hors de votre périmètre")
        )
    return ", ".join(parts)


def _import_rows(jobs: list[Job]) -> list[dict]:
    return [
        {
            "job": job,
            "file": job.params.get("name") or Path(job.params.get("path", "")).name,
            "kind": getattr(KINDS.get(job.params.get("kind")), "label", ""),
            "summary": _summary(job),
        }
        for job in jobs
    ]


def import_upload(request):
    if not can_import_reference_data(request.user):
        raise PermissionDenied("Seuls le pilotage national et les coordinations importent.")
    scope = scope_of(request.user, IMPORT_REFERENCE)
    importers = importers_for(scope)
    form = ImportUploadForm(request.POST or None, request.FILES or None, importers=importers)
    if getattr(request, "upload_too_large", False):
        # The size handler stopped the file while it was read: nothing was written to disk.
        form.is_valid()
        form.errors["file"] = form.error_class([_too_large_message()])
    elif request.method == "POST" and form.is_valid():
        upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"] or None
        name = Path(upload.name).name
        path = save_upload(upload)
        try:
            detected = detect_kind(path, kind, label=name, scope=scope)
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            # Only a kind chosen, or to choose, is the kind field's error: the rest is the file's.
            field = "kind" if isinstance(exc, KindError) else "file"
            for error in exc.errors:
                form.add_error(field, error.sentence)
        else:
            job = start_job(
                kind=IMPORT_JOB_KIND,
                label=f"Import de {name} ({KINDS[detected].label})",
                params={"path": str(path), "kind": detected, "name": name},
                user=request.user,
            )
            return redirect("core:job_detail", job_id=job.pk)
    context = {
        "title": TITLE,
        "form": form,
        "kinds": [importer.label for importer in importers],
        "imports": _import_rows(recent_imports(request.user)),
        "breadcrumb_data": breadcrumb(TITLE),
    }
    return render(request, "territory/import_upload.html", context)
