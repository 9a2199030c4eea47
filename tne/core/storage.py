from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, but CSS kept byte for byte: django-dsfr links its
    stylesheets with Subresource Integrity hashes, which rewriting their ``url()`` would break
    (the browser then refuses the whole stylesheet). Files they reference keep their plain name
    next to the hashed one, so the unrewritten references still resolve."""

    patterns = ()
