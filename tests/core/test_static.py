import base64
import hashlib

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from dsfr.checksums import INTEGRITY_CSS, INTEGRITY_UTILITY_CSS


def test_collected_dsfr_stylesheets_keep_their_integrity_hash(settings, tmp_path):
    """The production storage must not rewrite django-dsfr's CSS, or browsers refuse it."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "tne.core.storage.StaticFilesStorage"},
    }

    call_command("collectstatic", "--noinput", verbosity=0)

    for path, integrity in [
        ("dsfr/dist/dsfr/dsfr.min.css", INTEGRITY_CSS),
        ("dsfr/dist/utility/utility.min.css", INTEGRITY_UTILITY_CSS),
    ]:
        # What pages link to: the hashed name from the manifest.
        served = tmp_path / staticfiles_storage.stored_name(path)
        assert served.name != path.rsplit("/", 1)[-1]
        digest = hashlib.sha384(served.read_bytes()).digest()
        assert integrity == "sha384-" + base64.b64encode(digest).decode()
