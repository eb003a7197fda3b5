"""Low-efficiency land identification (低效用地调查评价与认定).

Rule packs (规则包) as validated YAML data, a vectorised overlay and rule engine, explainable
results (categories, flags, reasons with clause citations), redevelopment potential (再开发潜力),
the pilot's statistics, a file mode and a Dask engine.

Public entry points:

* :func:`load_pack` — a pack by id (``jiangmen``) or YAML path, parents resolved;
* :func:`evaluate_frame` — the pure core over GeoDataFrames (used by file and database modes);
* :func:`evaluate_files` — file in, file out (the ``landrenew evaluate PARCELS`` command);
* :func:`zone_ratios` — exact overlay shares per parcel and zone kind;
* :func:`summary_tables` — the pilot report tables.
"""

from landrenew.evaluation.engine import assemble, evaluate_frame
from landrenew.evaluation.files import EvaluationOutput, evaluate_files, summary_tables
from landrenew.evaluation.loader import PackError, builtin_packs, load_pack
from landrenew.evaluation.overlay import ZoneIndex, zone_ratios
from landrenew.evaluation.packs import RulePack

__all__ = ["EvaluationOutput", "PackError", "RulePack", "ZoneIndex", "assemble",
           "builtin_packs", "evaluate_files", "evaluate_frame", "load_pack", "summary_tables",
           "zone_ratios"]
