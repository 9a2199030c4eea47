"""A system check (``manage.py check``, ``migrate``, every management command): the backend of
each channel loads and serves its channel, so a wrong ``TNE_NOTIFY_*_BACKEND`` stops the start
with a sentence that names it, instead of failing each message later."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from ..models import Channel
from .backends import _backend_class, configured_name


@checks.register()
def notify_backends(app_configs=None, **kwargs):
    errors = []
    for channel in Channel.values:
        try:
            _backend_class(channel, configured_name(channel))
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="tne.notify.E001"))
    return errors
