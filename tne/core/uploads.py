"""Uploads: a size cap enforced while the body is read, not after it is on disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: stops writing an uploaded file as soon as it passes
    ``TNE_MAX_UPLOAD_BYTES`` (the rest of the body is read and dropped), and marks the request
    ``upload_too_large`` so the view can say so instead of « this field is required »."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.TNE_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
