"""The eight measures of the programme, as announced by the ministry on 2 October 2020 (the
text is copied here: every installation has them, whatever the data files)."""

from django.db import migrations

MEASURES = [
    (
        "M1",
        "Formation des professeurs à l'hybridation",
        "Former tous les professeurs à l'hybridation de l'enseignement et des apprentissages.",
    ),
    (
        "M2",
        "Formation des parents",
        "Former les parents volontaires aux enjeux du numérique éducatif.",
    ),
    (
        "M3",
        "Bouquet de services et de ressources",
        "Mettre à disposition des professeurs un bouquet de services et de ressources en ligne "
        "via une plate-forme.",
    ),
    (
        "M4",
        "Socle numérique des écoles",
        "Assurer un socle minimal d'équipement numérique pour les écoles élémentaires "
        "(2\u00a0700 classes). Coût : 9 millions d'euros.",
    ),
    (
        "M5",
        "Kit d'enseignement hybride",
        "Équiper chaque classe (premier et second degrés) d'un kit d'enseignement hybride "
        "(15\u00a0000 classes).",
    ),
    (
        "M6",
        "Équipement des élèves en prêt",
        "Permettre l'équipement des élèves des classes élémentaires en état de fracture "
        "numérique sous forme de prêt (15\u00a0000 élèves). Coût : 6 millions d'euros.",
    ),
    (
        "M7",
        "Équipement des nouveaux professeurs",
        "Équiper les nouveaux professeurs du premier et du second degré (1\u00a0000 nouveaux "
        "professeurs).",
    ),
    (
        "M8",
        "Évaluation du dispositif",
        "Évaluer le dispositif, en en mesurant la pertinence et l'efficience.",
    ),
]


def load(apps, schema_editor):
    Measure = apps.get_model("programme", "Measure")
    for order, (code, title, description) in enumerate(MEASURES, start=1):
        Measure.objects.update_or_create(
            code=code, defaults={"title": title, "description": description, "order": order}
        )


def unload(apps, schema_editor):
    apps.get_model("programme", "Measure").objects.filter(
        code__in=[code for code, _, _ in MEASURES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
