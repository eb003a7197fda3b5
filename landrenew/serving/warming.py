"""Warming a server process (启动预热): the per-stamp lookups every city-wide list page needs.

So that the first requests of a new process do not all wait for the same reads
(``docs/serving.md``), :func:`warm` makes, on a thread beside the event loop when the server
starts, the latest evaluation run, the count of the city's current parcels (the lists' ``total``)
and the paging anchors (:func:`~landrenew.serving.parcels.code_anchors`), kept in
:data:`~landrenew.serving.caches.MEMO` and :data:`~landrenew.serving.caches.COUNTS`.

Only what every city-wide list shares is warmed: district-scoped and filtered lists, and the pages
themselves, are made when asked for. Warming reads, never writes.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from landrenew.core.access import Principal
from landrenew.core.errors import LandrenewError
from landrenew.core.store import Store
from landrenew.serving import parcels

log = logging.getLogger(__name__)

#: Who warming reads as: a whole-city view (what it makes holds for every whole-city user: the
#: count and the anchors do not depend on the view).
WARMER = Principal("server-start", "viewer")


def warm(store: Store) -> bool:
    """Read the latest run, the city's parcel count and its paging anchors into this process's
    per-stamp caches. True when done; False (and a warning in the log) when the database cannot
    be read yet, e.g. before ``landrenew db upgrade``: requests then make them as before."""
    try:
        parcels.list_parcels(store, WARMER, limit=1)
        with store.reading() as conn:
            parcels.code_anchors(conn, store, None)
    except (LandrenewError, SQLAlchemyError) as exc:
        log.warning("warming %s skipped: %s", store.display_url, exc)
        return False
    return True
