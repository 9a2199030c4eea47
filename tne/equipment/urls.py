from django.urls import path

from .views import home, signoffs, teachers

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
    # --- orders, invoices, ledger ---------------------------------------------------------------
    # --- asset register, incidents, labels, scan --------------------------------------------
    # --- delivery and inventory imports -------------------------------------------------------
    # --- socle audit, plan ------------------------------------------------------------------------
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
    # sign-offs of installations (views/signoffs.py)
    path("installations/", signoffs.signoff_list, name="signoff_list"),
    path("installations/export.<str:fmt>", signoffs.signoff_export, name="signoff_export"),
    path("installations/<int:allocation_id>/", signoffs.signoff_detail, name="signoff_detail"),
    path("installations/<int:allocation_id>/valider/", signoffs.signoff_sign, name="signoff_sign"),
    path(
        "installations/<int:allocation_id>/contresigner/",
        signoffs.signoff_cosign,
        name="signoff_cosign",
    ),
    path("installations/contresigner/", signoffs.signoff_cosign_bulk, name="signoff_cosign_bulk"),
    path(
        "validations/<int:signoff_id>/proces-verbal.pdf",
        signoffs.signoff_document,
        name="signoff_document",
    ),
    path("validations/<int:signoff_id>/photo", signoffs.signoff_photo, name="signoff_photo"),
    # new teachers, M7 (views/teachers.py)
    path("nouveaux-enseignants/", teachers.teacher_list, name="teacher_list"),
    path("nouveaux-enseignants/export.<str:fmt>", teachers.teacher_export, name="teacher_export"),
    path("nouveaux-enseignants/<int:staff_id>/", teachers.teacher_detail, name="teacher_detail"),
    path(
        "nouveaux-enseignants/<int:staff_id>/affecter/",
        teachers.teacher_allocate,
        name="teacher_allocate",
    ),
    path(
        "nouveaux-enseignants/<int:staff_id>/remise/",
        teachers.teacher_handover,
        name="teacher_handover",
    ),
    path(
        "nouveaux-enseignants/<int:staff_id>/restitution/",
        teachers.teacher_return,
        name="teacher_return",
    ),
    path(
        "nouveaux-enseignants/recus/<int:handover_id>/recu.pdf",
        teachers.teacher_receipt,
        name="teacher_receipt",
    ),
]
