"""The loans of measure M6, one module per entity."""

from .events import LoanEvent, LoanEventKind  # lifecycle: the timeline of a loan
from .loans import Loan
from .pupils import FamilyLink, GuardianContact, NeedDeclaration, Pupil
from .rules import PriorityWeights, SchoolQuota
from .runs import AllocationRun, RunDecision
from .tallies import SchoolLoanTally  # the dashboards' figures per school

__all__ = [
    "AllocationRun",
    "FamilyLink",
    "GuardianContact",
    "Loan",
    "LoanEvent",
    "LoanEventKind",
    "NeedDeclaration",
    "PriorityWeights",
    "Pupil",
    "RunDecision",
    "SchoolLoanTally",
    "SchoolQuota",
]
