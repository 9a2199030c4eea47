"""The kinds of devices of the programme and its five kits (compositions by category: each
territory adds the models it buys, and a kit line is priced at its category's reference model)."""

from django.db import migrations

CATEGORIES = [
    ("interactive-display", "Écran ou tableau interactif (TNI, VPI, ENI)"),
    ("projector", "Vidéoprojecteur"),
    ("document-camera", "Visualiseur"),
    ("laptop", "Ordinateur portable"),
    ("tablet", "Tablette"),
    ("webcam", "Webcam"),
    ("microphone", "Microphone"),
    ("speakers", "Haut-parleurs"),
    ("wifi-access-point", "Borne Wi-Fi"),
    ("router-4g", "Routeur 4G"),
    ("printer-scanner", "Imprimante-scanner en réseau"),
    ("charging-cart", "Chariot ou valise de recharge"),
]

KITS = [
    (
        "kit-hybride",
        "Kit d'enseignement hybride",
        "M5",
        "CLASS",
        "Pour enseigner en présence et à distance : une caméra, un micro et des haut-parleurs.",
        [("webcam", 1), ("microphone", 1), ("speakers", 1)],
    ),
    (
        "socle-classe",
        "Socle classe",
        "M4",
        "CLASS",
        "Le socle numérique de base d'une classe élémentaire : affichage collectif, ordinateur, "
        "connexion, captation d'images, micro et haut-parleurs.",
        [
            ("projector", 1),
            ("laptop", 1),
            ("wifi-access-point", 1),
            ("webcam", 1),
            ("microphone", 1),
            ("speakers", 1),
        ],
    ),
    (
        "socle-ecole",
        "Socle école",
        "M4",
        "SCHOOL",
        "Un lot mutualisé de tablettes pour l'école, avec sa valise de recharge.",
        [("tablet", 15), ("charging-cart", 1)],
    ),
    (
        "socle-direction",
        "Socle direction",
        "M4",
        "HEAD",
        "Pour la direction de l'école : un ordinateur portable, une connexion et une "
        "imprimante-scanner en réseau.",
        [("laptop", 1), ("router-4g", 1), ("printer-scanner", 1)],
    ),
    (
        "nouvel-enseignant",
        "Équipement nouvel enseignant",
        "M7",
        "TEACHER",
        "Remis à un professeur qui débute : un ordinateur portable, une webcam et un micro.",
        [("laptop", 1), ("webcam", 1), ("microphone", 1)],
    ),
]


def load(apps, schema_editor):
    Category = apps.get_model("equipment", "Category")
    KitTemplate = apps.get_model("equipment", "KitTemplate")
    KitItem = apps.get_model("equipment", "KitItem")
    Measure = apps.get_model("programme", "Measure")
    categories = {}
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        categories[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10}
        )
    measures = {m.code: m for m in Measure.objects.all()}
    for code, name, measure, target, description, items in KITS:
        if measure not in measures:
            continue
        kit, created = KitTemplate.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "measure": measures[measure],
                "target": target,
                "description": description,
            },
        )
        if created:
            KitItem.objects.bulk_create(
                KitItem(kit=kit, category=categories[category], quantity=quantity)
                for category, quantity in items
            )


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial"), ("programme", "0002_measures")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
