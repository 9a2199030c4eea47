"""The categories and kits of the data migration, and the shared core services equipment uses."""

from tne.equipment.models import Category, KitTemplate


def test_the_five_kits_and_their_categories_exist(db):
    assert set(KitTemplate.objects.values_list("code", flat=True)) == {
        "kit-hybride",
        "socle-classe",
        "socle-ecole",
        "socle-direction",
        "nouvel-enseignant",
    }
    hybrid = KitTemplate.objects.get(code="kit-hybride")
    assert hybrid.measure.code == "M5"
    assert sorted(hybrid.items.values_list("category__code", flat=True)) == [
        "microphone",
        "speakers",
        "webcam",
    ]
    assert Category.objects.count() == 12
