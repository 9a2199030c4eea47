"""The territory's background work: importing an open-data file (started from the import page)."""

from pathlib import Path

from tne.core.formats import plural
from tne.core.jobs import JobFailed, JobOrigin, job_handler
from tne.core.models import AuditSource
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of

from .importers import import_file
from .perms import IMPORT_REFERENCE, can_import_reference_data
from .uploads import IMPORT_JOB_KIND

IMPORT_ORIGIN = JobOrigin(
    url_name="territory:import_upload",
    title="Importer un fichier de référence",
    again="Importer un autre fichier",
    list_anchor="derniers-imports",
    list_label="Voir les derniers imports",
)


# The counters of an import's result (ImportReport.as_dict) as the job page shows them.
IMPORT_RESULT_LABELS = {
    "kind": "Type de fichier",
    "rows": "Lignes lues",
    "created": "Créés",
    "updated": "Mis à jour",
    "unchanged": "Inchangés",
    "skipped": "Ignorés",
    "out_of_scope": "Hors de votre périmètre (non importées)",
    "out_of_scope_first": "Premières lignes hors de votre périmètre",
}
IMPORT_RESULT_FORMATS = {"out_of_scope": lambda count: plural(count, "ligne|lignes")}


@job_handler(
    IMPORT_JOB_KIND,
    origin=IMPORT_ORIGIN,
    result_labels=IMPORT_RESULT_LABELS,
    result_formats=IMPORT_RESULT_FORMATS,
)
def run_import(job, progress) -> dict:
    """``params``: ``{"path": str, "kind": str | None, "name": str}`` (the file as saved, its
    kind, its name as uploaded, which the errors give). A refused file fails the job with the
    first errors and their line and column as its message, and is deleted at once (only the
    files of imports that went through are kept, as their record). The permission and the scope
    are those of the job's creator when the job runs (roles may have changed since the upload)."""
    path = Path(job.params["path"])
    user = job.created_by
    try:
        if user is None or not can_import_reference_data(user):
            raise JobFailed("Vous n'avez plus le droit d'importer des données de référence.")
        report = import_file(
            path,
            job.params.get("kind") or None,
            label=job.params.get("name"),
            progress=progress,
            actor=job.created_by,
            source=AuditSource.IMPORT,
            job=job,
            scope=scope_of(user, IMPORT_REFERENCE),
        )
    except ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise JobFailed(exc.message) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return report.as_dict()
