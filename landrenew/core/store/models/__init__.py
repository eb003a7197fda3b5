"""Tables (one schema for SQLite and PostGIS; migrations in ``migrations/versions``).

Versioned aggregates (parcels, zones) keep one row per version: ``valid_from`` / ``valid_to``
(``NULL`` = current), ``changed_by``, ``reason`` and ``operation`` (insert / update / delete).
A row is never updated except to close it (set ``valid_to``) when its successor is written.

The tables are kept in one module per area (:mod:`.base` holds the declarative base and the
mixins, then :mod:`.land`, :mod:`.users`, :mod:`.evaluation`, :mod:`.projects`,
:mod:`.stores`, :mod:`.compliance`, :mod:`.supervision` and :mod:`.quotas`); every one of them
is importable from here.
"""

from landrenew.core.store.models.base import (
    MONEY_10K,
    Base,
    BBoxMixin,
    VersionMixin,
    table_of,
)
from landrenew.core.store.models.compliance import ComplianceCheck
from landrenew.core.store.models.evaluation import EvaluationRun, ParcelResult, PublishedRun
from landrenew.core.store.models.land import (
    CitySetting,
    District,
    ImportMapping,
    ParcelVersion,
    SurveyBatch,
    ZoneLayer,
    ZoneVersion,
)
from landrenew.core.store.models.projects import (
    ConsentUnit,
    ConsolidationWorkflow,
    CostItem,
    FinanceRecord,
    LedgerCheckpoint,
    LedgerRecord,
    Phase,
    PhasePerson,
    PhaseTransition,
    Project,
    ProjectVersion,
)
from landrenew.core.store.models.quotas import QuotaHolder
from landrenew.core.store.models.stores import StoredPage, StoredTile
from landrenew.core.store.models.supervision import (
    DistrictFigure,
    ProgrammeMember,
    ProgrammeProgress,
    ProgrammeReport,
    ProgrammeTarget,
    ProgrammeTask,
    ProgrammeTaskVersion,
    ProgrammeUnit,
    SupervisionAct,
)
from landrenew.core.store.models.users import AuditEvent, LoginFailure, User, UserSession

__all__ = [
    "MONEY_10K",
    "AuditEvent",
    "BBoxMixin",
    "Base",
    "CitySetting",
    "ComplianceCheck",
    "ConsentUnit",
    "ConsolidationWorkflow",
    "CostItem",
    "District",
    "DistrictFigure",
    "EvaluationRun",
    "FinanceRecord",
    "ImportMapping",
    "LedgerCheckpoint",
    "LedgerRecord",
    "LoginFailure",
    "ParcelResult",
    "ParcelVersion",
    "Phase",
    "PhasePerson",
    "PhaseTransition",
    "ProgrammeMember",
    "ProgrammeProgress",
    "ProgrammeReport",
    "ProgrammeTarget",
    "ProgrammeTask",
    "ProgrammeTaskVersion",
    "ProgrammeUnit",
    "Project",
    "ProjectVersion",
    "PublishedRun",
    "QuotaHolder",
    "StoredPage",
    "StoredTile",
    "SupervisionAct",
    "SurveyBatch",
    "User",
    "UserSession",
    "VersionMixin",
    "ZoneLayer",
    "ZoneVersion",
    "table_of",
]
