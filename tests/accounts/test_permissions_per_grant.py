"""Permissions per grant: a permission reaches only the places of the grants whose role carries
it. A person may hold several roles at several places; one role never lends its reach to another.
"""

import itertools
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import SchoolFactory, StaffFactory, UserFactory, grant
from tests.territory.helpers_importers import fixture
from tne.core.jobs import start_job
from tne.core.models import Job
from tne.core.permissions import declare, declared, markdown_table, permission_table
from tne.core.roles import Role
from tne.core.scope import scope_of
from tne.territory.importers import import_file
from tne.territory.models import School, Staff, TerritoryNode
from tne.territory.perms import IMPORT_REFERENCE, VIEW_PEOPLE, VIEW_SCHOOLS
from tne.territory.uploads import IMPORT_JOB_KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(tree):
    """One école in Laon (Aisne) and one in Cergy (Val-d'Oise), each owned by its commune and
    in its circonscription, with a teacher each."""
    laon = SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon, owner=tree.laon)
    cergy = SchoolFactory(commune=tree.cergy, circonscription=tree.circ_cergy, owner=tree.cergy)
    StaffFactory(school=laon, last_name="Laonnois")
    StaffFactory(school=cergy, last_name="Cergyssois")
    return {"laon": laon, "cergy": cergy}


# --- The four leaks found in review, as named regressions -------------------------------------


def test_a_parent_here_who_teaches_there_reads_the_staff_of_there_only(client, places):
    person = UserFactory()
    grant(person, Role.PARENT, places["laon"])
    grant(person, Role.TEACHER, places["cergy"])
    client.force_login(person)

    laon_page = client.get(reverse("territory:school_detail", args=[places["laon"].uai]))
    cergy_page = client.get(reverse("territory:school_detail", args=[places["cergy"].uai]))

    assert laon_page.status_code == 200 and cergy_page.status_code == 200
    assert "Laonnois" not in laon_page.content.decode()
    assert laon_page.context["staff_list"] == [] and laon_page.context["history"] is None
    assert "Cergyssois" in cergy_page.content.decode()
    api = client.get(f"/api/v1/schools/{places['laon'].uai}/staff")
    assert api.status_code == 200 and api.json()["items"] == []
    assert set(Staff.objects.visible_to(person).values_list("last_name", flat=True)) == {
        "Cergyssois"
    }


def test_an_evaluator_of_the_country_who_teaches_somewhere_sees_only_that_schools_staff(
    tree, places
):
    person = UserFactory()
    grant(person, Role.EVALUATOR, tree.country)
    grant(person, Role.TEACHER, places["cergy"])

    assert set(Staff.objects.visible_to(person).values_list("last_name", flat=True)) == {
        "Cergyssois"
    }
    # The evaluator's grant still reads every school (aggregates and public facts).
    assert School.objects.visible_to(person).count() == 2
    assert not scope_of(person, VIEW_PEOPLE).everything


def test_a_coordinator_of_aisne_who_is_a_parent_in_val_d_oise_cannot_rewrite_its_schools(
    tree, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    import_file(fixture("ips_ecoles.csv"))  # the national import: 0950957Z is in Cergy (95)
    cergy = School.objects.get(uai="0950957Z")
    person = UserFactory()
    grant(person, Role.COORDINATOR, tree.aisne)
    grant(person, Role.PARENT, cergy)
    changed = (
        fixture("ips_ecoles.csv").read_text(encoding="utf-8").replace("public;118.4", "public;60.0")
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            kind=IMPORT_JOB_KIND,
            label="Import",
            params={"path": str(_saved(tmp_path, changed)), "kind": None, "name": "ecoles.csv"},
            user=person,
        )

    job.refresh_from_db()
    assert job.status == "SUCCEEDED", job.message
    cergy.refresh_from_db()
    assert str(cergy.ips) == "118.4"
    assert job.result["out_of_scope"] == 2
    # The import page also offers only the kinds and rows of the coordination grant.
    assert not scope_of(person, IMPORT_REFERENCE).contains_school(cergy)


def _saved(folder, text: str):
    path = folder / "ecoles.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_evaluator_of_the_country_reads_no_job_page_of_an_agent(
    client, tree, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    agent = UserFactory()
    grant(agent, Role.COORDINATOR, tree.aisne)
    client.force_login(agent)
    upload = SimpleUploadedFile("ecoles-agent.csv", fixture("ips_ecoles.csv").read_bytes())
    client.post(reverse("territory:import_upload"), {"file": upload, "kind": ""})
    job = Job.objects.get(created_by=agent)
    evaluator = UserFactory()
    grant(evaluator, Role.EVALUATOR, tree.country)
    client.force_login(evaluator)

    page = client.get(reverse("core:job_detail", args=[job.pk]))

    assert page.status_code == 404
    assert "ecoles-agent.csv" not in page.content.decode()
    # National steering, which carries core.view_jobs on the country, reads it.
    steering = UserFactory()
    grant(steering, Role.NATIONAL, tree.country)
    client.force_login(steering)
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200


# --- The mixed-grant matrix ----------------------------------------------------------------------

# Where each role is granted for the matrix, in each département: a node of the kind the role
# takes, or the école (roles held in a school).
PLACE_OF_ROLE = {
    Role.COORDINATOR: "departement",
    Role.IEN_ERUN: "circonscription",
    Role.SCHOOL_HEAD: "school",
    Role.TEACHER: "school",
    Role.TECHNICIAN: "commune",
    Role.TRAINER: "circonscription",
    Role.LOCAL_AUTHORITY: "commune",
    Role.EVALUATOR: "departement",
    Role.PARENT: "school",
}


def _place(tree, places, role, side: str):
    aisne = side == "aisne"
    return {
        "departement": tree.aisne if aisne else tree.vdo,
        "circonscription": tree.circ_laon if aisne else tree.circ_cergy,
        "commune": tree.laon if aisne else tree.cergy,
        "school": places["laon"] if aisne else places["cergy"],
    }[PLACE_OF_ROLE[role]]


@pytest.mark.parametrize(
    ("here", "there"), list(itertools.product(PLACE_OF_ROLE, PLACE_OF_ROLE)), ids=str
)
def test_each_permission_reaches_only_the_place_of_the_grant_that_carries_it(
    tree, places, here, there
):
    person = UserFactory()
    here_target = _place(tree, places, here, "aisne")
    there_target = _place(tree, places, there, "vdo")
    grant(person, here, here_target)
    grant(person, there, there_target)
    nodes = list(TerritoryNode.objects.all())

    for permission in declared():
        scope = scope_of(person, permission)
        reached = set(School.objects.visible_to(person, permission).values_list("pk", flat=True))
        expected = {
            places[side].pk
            for side, role in (("laon", here), ("cergy", there))
            if permission.carried_by(role)
        }
        assert reached == expected, (permission.code, here, there)
        assert scope.contains_school(places["laon"]) == permission.carried_by(here)
        assert scope.contains_school(places["cergy"]) == permission.carried_by(there)
        # Authority over the tree: only below the node of a grant carrying the permission.
        for node in nodes:
            if scope.covers_node(node):
                assert any(
                    isinstance(target, TerritoryNode)
                    and permission.carried_by(role)
                    and node.path.startswith(target.path)
                    for role, target in ((here, here_target), (there, there_target))
                ), (permission.code, here, there, node)
        assert not scope.everything


def test_a_grant_on_the_country_reaches_everywhere_only_for_what_its_role_carries(tree, places):
    person = UserFactory()
    grant(person, Role.EVALUATOR, tree.country)

    assert scope_of(person, VIEW_SCHOOLS).everything
    assert scope_of(person, VIEW_PEOPLE).is_empty
    assert scope_of(person, IMPORT_REFERENCE).is_empty


def test_a_superuser_holds_every_permission_everywhere(places):
    admin = UserFactory(is_superuser=True)

    assert all(scope_of(admin, p).everything for p in declared())


# --- The table itself ---------------------------------------------------------------------


def test_every_app_declares_its_permissions_and_the_table_lists_them():
    codes = {p.code for p in declared()}

    assert {
        "territory.view_schools",
        "territory.view_people",
        "territory.import_reference",
        "accounts.manage_access",
        "core.view_jobs",
    } <= codes
    assert all(len(row) == len(Role.values) for _, row in permission_table())


def test_declaring_a_permission_with_an_unknown_role_fails():
    with pytest.raises(ValueError, match="unknown roles"):
        declare("tests.nothing", "Rien", roles={"ASTRONAUT"})


def test_the_architecture_doc_shows_the_table_of_permissions_as_declared():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()

    assert markdown_table() in doc, "refresh the table: python manage.py shell -c " + (
        '"from tne.core.permissions import markdown_table; print(markdown_table())"'
    )
