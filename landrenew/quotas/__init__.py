"""Quota ledgers (指标台账): construction-land quota and its ring-fence, provincial quota,
farmland-supplement quota, reward quota and villages' reserved land (留用地), kept as double
entries on the signed ledgers of :mod:`landrenew.core.ledger` (issue 25, docs/quotas.md)."""
