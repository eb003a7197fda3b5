"""Survey batches (调查成果批次): submitted → reviewed → accepted, or returned with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from landrenew.core.errors import Conflict, InputError, NotFound
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent
from landrenew.land.batches import decide, list_batches
from landrenew.land.importing import ImportOptions, import_parcels


@pytest.fixture
def batch(store: Store, gpkg_file: Path, tmp_path: Path) -> Store:
    import_parcels(store, gpkg_file, ImportOptions(batch="B1", report=str(tmp_path / "r.csv")),
                   user="district")
    return store


def test_review_then_accept(batch: Store) -> None:
    b = decide(batch, "B1", "review", user="city")
    assert (b.status, b.reviewed_by) == ("reviewed", "city")
    b = decide(batch, "B1", "accept", user="chief")
    assert (b.status, b.decided_by) == ("accepted", "chief") and b.decided_at is not None
    with pytest.raises(Conflict, match="is accepted; it cannot be 'return'ed"):
        decide(batch, "B1", "return", user="x", reasons=["late"])
    (only,) = list_batches(batch)
    assert (only.name, only.status, only.parcel_count) == ("B1", "accepted", 5)
    with batch.read_session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "survey_batch")
                            .order_by(AuditEvent.id)).all()
    assert actions == ["submit_batch", "batch_review", "batch_accept"]


def test_return_needs_reasons_and_accumulates(batch: Store) -> None:
    with pytest.raises(InputError, match="at least one reason"):
        decide(batch, "B1", "return", user="city")
    b = decide(batch, "B1", "return", user="city", reasons=["缺少权利人", "面积不符"])
    assert b.status == "returned" and b.reasons == ["缺少权利人", "面积不符"]
    with pytest.raises(Conflict):
        decide(batch, "B1", "review", user="city")


def test_accept_needs_review_first_and_unknown_batch(batch: Store) -> None:
    with pytest.raises(Conflict, match="allowed: review, return"):
        decide(batch, "B1", "accept", user="city")
    with pytest.raises(NotFound):
        decide(batch, "B9", "review", user="city")


def test_returned_batch_can_be_resubmitted_accepted_cannot(batch: Store, gpkg_file: Path,
                                                           tmp_path: Path) -> None:
    decide(batch, "B1", "return", user="city", reasons=["redo"])
    import_parcels(batch, gpkg_file, ImportOptions(batch="B1", report=str(tmp_path / "r.csv")),
                   user="district")
    (b,) = list_batches(batch)
    assert b.status == "submitted" and b.parcel_count == 5  # identical re-import adds nothing
    decide(batch, "B1", "review", user="city")
    decide(batch, "B1", "accept", user="city")
    with pytest.raises(InputError, match="is accepted; start a new batch"):
        import_parcels(batch, gpkg_file, ImportOptions(batch="B1", report=str(tmp_path / "r.csv")),
                       user="district")
