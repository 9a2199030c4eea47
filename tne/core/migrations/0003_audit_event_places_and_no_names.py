"""The events written before the trail knew places and personal data: their place where it can
be derived (schools, classes, staff and grants that still exist, nodes), and no name or e-mail
left (the label of a person becomes a reference, the values of personal fields a marker, the
e-mail of a grant's user its id). The models are named through ``apps`` only: core imports no
other app, its migration history merely runs after theirs."""

from django.db import migrations

BATCH = 1000
PERSONAL = {
    ("territory", "staff"): ("personnel", {"first_name", "last_name", "email"}),
    ("accounts", "user"): (
        "utilisateur",
        {"email", "first_name", "last_name", "external_id", "password"},
    ),
}


def _marker(values):
    if not isinstance(values, list) or len(values) != 2:
        return "modifié"
    old, new = values
    if old in (None, "") and new not in (None, ""):
        return "renseigné"
    if old not in (None, "") and new in (None, ""):
        return "effacé"
    return "modifié"


def _ids(events):
    return sorted({int(e.object_id) for e in events if e.object_id.isdigit()})


def _chunks(items):
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _school_places(School, ids):
    places = {}
    for chunk in _chunks(ids):
        for pk, path in School.objects.filter(pk__in=chunk).values_list("pk", "commune__path"):
            places[pk] = (path, pk)
    return places


def _via_school(model, School, ids):
    schools, places = {}, {}
    for chunk in _chunks(ids):
        schools.update(model.objects.filter(pk__in=chunk).values_list("pk", "school_id"))
    by_school = _school_places(School, sorted(set(schools.values())))
    for pk, school_id in schools.items():
        if school_id in by_school:
            places[pk] = by_school[school_id]
    return places


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {
        (ct.app_label, ct.model): ct.pk
        for ct in ContentType.objects.filter(app_label__in=["territory", "accounts"])
    }
    for key, type_id in types.items():
        events_of_type = AuditEvent.objects.filter(content_type_id=type_id).order_by("pk")
        last = 0
        while True:  # By slices of the table: a national trail does not fit in memory at once.
            events = list(events_of_type.filter(pk__gt=last)[: BATCH * 5])
            if not events:
                break
            last = events[-1].pk
            _rewrite(apps, key, events)


def _rewrite(apps, key, events):
    """The places, labels and changes of one slice of the events of one model."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    School = apps.get_model("territory", "School")
    SchoolClass = apps.get_model("territory", "SchoolClass")
    Staff = apps.get_model("territory", "Staff")
    TerritoryNode = apps.get_model("territory", "TerritoryNode")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    User = apps.get_model("accounts", "User")
    ids = _ids(events)
    if key == ("territory", "school"):
        places = _school_places(School, ids)
    elif key == ("territory", "schoolclass"):
        places = _via_school(SchoolClass, School, ids)
    elif key == ("territory", "staff"):
        places = _via_school(Staff, School, ids)
    elif key == ("territory", "territorynode"):
        places = {}
        for chunk in _chunks(ids):
            nodes = TerritoryNode.objects.filter(pk__in=chunk).values_list("pk", "path")
            places.update({pk: (path, None) for pk, path in nodes})
    elif key == ("accounts", "roleassignment"):
        places = {}
        for chunk in _chunks(ids):
            grants = RoleAssignment.objects.filter(pk__in=chunk).values_list(
                "pk", "node__path", "school_id", "school__commune__path"
            )
            for pk, node_path, school_id, school_path in grants:
                places[pk] = (school_path, school_id) if school_id else (node_path, None)
    else:
        places = {}
    label, personal = PERSONAL.get(key, (None, set()))
    emails = {}
    if key == ("accounts", "roleassignment"):
        wanted = {
            value.lower()
            for e in events
            for value in (e.changes.get("user") or [])
            if isinstance(value, str)
        }
        if wanted:
            for user_pk, email in User.objects.values_list("pk", "email"):
                if email.lower() in wanted:
                    emails[email.lower()] = user_pk
    changed = []
    for event in events:
        pk = int(event.object_id) if event.object_id.isdigit() else None
        place = places.get(pk)
        if place and not event.place_path and event.place_school_id is None:
            event.place_path, event.place_school_id = place[0] or "", place[1]
        if label:
            event.object_repr = f"{label[:1].upper()}{label[1:]} n° {event.object_id}"
            event.changes = {
                name: _marker(values) if name in personal else values
                for name, values in event.changes.items()
            }
        if key == ("accounts", "roleassignment") and isinstance(
            event.changes.get("user"), list
        ):
            event.changes["user"] = [
                emails.get(v.lower(), "modifié") if isinstance(v, str) else v
                for v in event.changes["user"]
            ]
        changed.append(event)
    for chunk in _chunks(changed):
        AuditEvent.objects.bulk_update(
            chunk, ["place_path", "place_school_id", "object_repr", "changes"]
        )




class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_event_place"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territory", "0006_school_year_follows_the_date"),
        ("accounts", "0003_user_email_unique_ignoring_case"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
