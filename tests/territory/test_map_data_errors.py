"""The map page when the commune outlines cannot be read: the schools without outlines and the
file named in the server log with the setting, never a server error."""

import logging

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role

HINT = "vérifiez TNE_DATA_DIR (dossier des données ouvertes)."


@pytest.fixture
def coordinator(tree):
    SchoolFactory(commune=tree.cergy, name="École du Bontemps", latitude=49.05, longitude=2.03)
    return user_with_role(Role.COORDINATOR, tree.vdo)


def _map(client, user):
    client.force_login(user)
    return client.get(reverse("territory:departement_map", args=["95"]))


def test_a_missing_data_folder_is_logged_and_the_map_shows_the_schools(
    client, coordinator, settings, tmp_path, caplog
):
    settings.DATA_DIR = tmp_path / "nowhere"

    with caplog.at_level(logging.ERROR, logger="tne.territory.maps"):
        response = _map(client, coordinator)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pas de contour disponible" in html and "École du Bontemps" in html
    expected = tmp_path / "nowhere" / "geo" / "geo_communes-95-*.geojson"
    assert caplog.messages == [f"Fichier de données introuvable : {expected} ; {HINT}"]


def test_a_broken_outline_file_is_logged_and_the_map_shows_the_schools(
    client, coordinator, settings, tmp_path, caplog
):
    settings.DATA_DIR = tmp_path
    broken = tmp_path / "geo" / "geo_communes-95-val-d-oise.geojson"
    broken.parent.mkdir()
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger="tne.territory.maps"):
        response = _map(client, coordinator)

    assert response.status_code == 200
    assert "Pas de contour disponible" in response.content.decode()
    assert caplog.messages == [
        f"Fichier de données illisible : {broken} (GeoJSON illisible) ; {HINT}"
    ]
