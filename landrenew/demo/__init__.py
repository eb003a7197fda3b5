"""Deterministic Jiangmen demo data (江门演示数据): districts, synthetic parcels and zone layers.

Everything except the district boundaries is synthetic; the same seed always gives the same data.
"""

from landrenew.demo.boundaries import JIANGMEN_DISTRICTS, load_districts
from landrenew.demo.generator import generate_parcels, generate_zones, write_demo_files

__all__ = [
    "JIANGMEN_DISTRICTS",
    "generate_parcels",
    "generate_zones",
    "load_districts",
    "write_demo_files",
]
