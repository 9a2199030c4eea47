"""What every domain's API router uses: keyset pagination and the shared schemas. The API itself
(the ``NinjaAPI`` instance, authentication, docs) is mounted by :mod:`tne.api`, which domains do
not import."""
