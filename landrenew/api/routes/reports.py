"""Programme reports (报告): thin HTTP over :mod:`landrenew.supervision.report` and
:mod:`landrenew.supervision.render`.

Everyone signed in reads and downloads; the city bureau makes, edits and files them. A filed
report is frozen (409 ``report_filed`` on a change) and downloads from its kept inputs. An
evaluation outside its window is 409 ``outside_window``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from landrenew.api.deps import CurrentUser, IdPath, StoreDep
from landrenew.api.schemas.supervision import ReportIn, ReportList, ReportOut, ReportSections
from landrenew.supervision import render, report

router = APIRouter(tags=["reports"])

City = Annotated[str, Query(pattern=r"^\d{6}$", description="City code, e.g. 440700")]
Format = Literal["docx", "pdf", "xlsx"]


def _file(inputs: dict[str, Any], fmt: str) -> Response:
    suffix = f".{fmt}"
    name = render.file_name(inputs, suffix)
    return Response(render.render(inputs, suffix), media_type=render.FORMATS[suffix],
                    headers={"Content-Disposition":
                             f"attachment; filename=\"report{suffix}\"; "
                             f"filename*=UTF-8''{quote(name)}"})


@router.get("/api/reports", response_model=ReportList,
            summary="The reports kept and the half-years not reported by their due day")
def list_reports(store: StoreDep, user: CurrentUser, city: City) -> ReportList:
    return ReportList(**report.list_reports(store, user, city))


@router.post("/api/reports", response_model=ReportOut, status_code=201,
             summary="Make a draft report as of its day (kept with its inputs)")
def make(body: ReportIn, store: StoreDep, user: CurrentUser) -> ReportOut:
    return ReportOut(**report.make_report(store, user, body.city, body.kind, period=body.period,
                                          as_of=body.as_of, sections=body.sections))


@router.get("/api/reports/half-year/{period}/{fmt}",
            summary="A half-year report file (as filed, else gathered now)",
            response_class=Response)
def half_year(period: Annotated[str, Path(max_length=16)], fmt: Format, store: StoreDep,
              user: CurrentUser, city: City) -> Response:
    return _file(report.report_inputs(store, user, city, "half_year", period=period), fmt)


@router.get("/api/reports/evaluation/{kind}/{fmt}",
            summary="A mid-term or final evaluation report file as of a day in its window",
            response_class=Response)
def evaluation(kind: Literal["mid-term", "final"], fmt: Format, store: StoreDep,
               user: CurrentUser, city: City, as_of: dt.date) -> Response:
    return _file(report.report_inputs(store, user, city, kind, as_of=as_of), fmt)


@router.get("/api/reports/{report_id}", response_model=ReportOut,
            summary="A kept report with its inputs")
def get(report_id: IdPath, store: StoreDep, user: CurrentUser) -> ReportOut:
    return ReportOut(**report.get_report(store, user, report_id))


@router.patch("/api/reports/{report_id}", response_model=ReportOut,
              summary="Write a draft's sections and gather its figures again")
def update(report_id: IdPath, body: ReportSections, store: StoreDep, user: CurrentUser
           ) -> ReportOut:
    return ReportOut(**report.update_report(store, user, report_id, sections=body.sections))


@router.post("/api/reports/{report_id}/file", response_model=ReportOut,
             summary="File a report: from now on frozen")
def file(report_id: IdPath, store: StoreDep, user: CurrentUser) -> ReportOut:
    return ReportOut(**report.file_report(store, user, report_id))


@router.get("/api/reports/{report_id}/download/{fmt}", response_class=Response,
            summary="A kept report's file (.docx, .pdf, .xlsx)")
def download(report_id: IdPath, fmt: Format, store: StoreDep, user: CurrentUser) -> Response:
    return _file(report.get_report(store, user, report_id)["inputs"], fmt)
