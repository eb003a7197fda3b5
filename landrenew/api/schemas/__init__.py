"""Request and response schemas (接口数据结构), one module per area: Create / Update / Public,
never table models. Every name is importable from here."""

from landrenew.api.schemas.audit import AuditEventPublic
from landrenew.api.schemas.common import ErrorPublic, Health, Page
from landrenew.api.schemas.evaluations import (
    DistrictTotals,
    EvaluationRunDetail,
    EvaluationRunPublic,
    EvaluationStatistics,
    Publication,
    PublishRequest,
    StatisticsRow,
    Totals,
)
from landrenew.api.schemas.imports import (
    ImportReportPublic,
    MappingDeleted,
    MappingDetail,
    MappingPublic,
    MappingSave,
    ProblemPublic,
)
from landrenew.api.schemas.parcels import (
    EvaluationResultPublic,
    ParcelDetail,
    ParcelPublic,
    ParcelUpdate,
    ParcelUpdated,
    ParcelVersionPublic,
)
from landrenew.api.schemas.places import DistrictPublic, ZonePublic
from landrenew.api.schemas.users import (
    PasswordChange,
    Token,
    UserCreate,
    UserPublic,
    UserUpdate,
)

__all__ = ["AuditEventPublic", "DistrictPublic", "DistrictTotals", "ErrorPublic", "EvaluationResultPublic", "EvaluationRunDetail", "EvaluationRunPublic", "EvaluationStatistics", "Health", "ImportReportPublic", "MappingDeleted", "MappingDetail", "MappingPublic", "MappingSave", "Page", "ParcelDetail", "ParcelPublic", "ParcelUpdate", "ParcelUpdated", "ParcelVersionPublic", "PasswordChange", "ProblemPublic", "Publication", "PublishRequest", "StatisticsRow", "Token", "Totals", "UserCreate", "UserPublic", "UserUpdate", "ZonePublic"]
