"""A URL configuration with a view that fails, for the tests of the error page and reports."""

from django.urls import path

from tne.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def crash(request):
    raise RuntimeError("panne-de-test")


urlpatterns = [path("panne/", crash), *urlpatterns]
