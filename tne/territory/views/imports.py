"""The upload page of the reference files: the file is saved (``territory.uploads``) and imported
by a background job, whose page shows the progress; below the form, the last imports."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from dsfr.forms import DsfrBaseForm

from tne.core.exports import csv_response
from tne.core.formats import file_size, fr_typo, plural
from tne.core.jobs import start_job
from tne.core.models import Job, JobStatus
from tne.core.pages import breadcrumb
from tne.core.perms import can_view_job
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of

from ..importers import KINDS, KindError, detect_kind, importers_for
from ..perms import IMPORT_REFERENCE, can_import_reference_data
from ..uploads import IMPORT_JOB_KIND, recent_imports, save_upload

ALLOWED_SUFFIXES = {".csv", ".txt"}
ACCEPT = ".csv,.txt,text/csv"
TITLE = "Importer un fichier de référence"


class ImportUploadForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier CSV",
    )
    kind = forms.ChoiceField(
        label="Type de fichier",
        required=False,
        help_text="Laisser «\u00a0Détection automatique\u00a0» sauf si l'en-tête est ambigu.",
    )

    def __init__(self, *args, importers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Taille maximale\u00a0: {file_size(settings.TNE_MAX_UPLOAD_BYTES)}. Format "
            "accepté\u00a0: .csv (données ouvertes du ministère, séparées par «\u00a0;\u00a0» "
            "ou «\u00a0,\u00a0»)."
        )
        self.fields["kind"].choices = [("", "Détection automatique d'après l'en-tête")] + [
            (importer.kind, fr_typo(importer.label)) for importer in importers
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("Le fichier doit être un fichier CSV (.csv).")
        return upload


def _too_large_message() -> str:
    return f"Le fichier dépasse {file_size(settings.TNE_MAX_UPLOAD_BYTES)}."


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


def _import_rows(jobs: list[Job], user) -> list[dict]:
    return [
        {
            "job": job,
            "viewable": can_view_job(user, job),
            "from_cli": job.params.get("source") == "cli",
            "file": job.params.get("name") or Path(job.params.get("path", "")).name,
            "kind": fr_typo(getattr(KINDS.get(job.params.get("kind")), "label", "")),
            "summary": _summary(job),
        }
        for job in jobs
    ]


def _column_notes(importer) -> list[dict]:
    """The columns of a kind of file as the import page explains them."""
    notes = []
    for column in importer.columns:
        if column == importer.key_column:
            note = "identifiant de la ligne (une seule ligne par valeur)"
        elif column == importer.commune_column:
            note = "code Insee de la commune"
        else:
            note = "lue par l'import"
        notes.append({"name": column, "note": note})
    return notes


def _require_importer(request):
    if not can_import_reference_data(request.user):
        raise PermissionDenied("Seuls le pilotage national et les coordinations importent.")
    return scope_of(request.user, IMPORT_REFERENCE)


@require_GET
def import_template(request, kind: str):
    """The empty file of one kind (its header only, the columns the importer reads), to fill or
    to compare with a file that is refused."""
    scope = _require_importer(request)
    importer = next((i for i in importers_for(scope) if i.kind == kind), None)
    if importer is None:
        raise Http404("Type de fichier inconnu.")
    return csv_response(list(importer.columns), [], filename=f"modele-{kind}.csv")


def import_upload(request):
    scope = _require_importer(request)
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
        "kinds": [
            {"kind": i.kind, "label": fr_typo(i.label), "columns": _column_notes(i)}
            for i in importers
        ],
        "accept": ACCEPT,
        "imports": _import_rows(recent_imports(request.user), request.user),
        "breadcrumb_data": breadcrumb(TITLE),
    }
    return render(request, "territory/import_upload.html", context)
