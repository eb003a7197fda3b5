"""Redevelopment projects (项目): the pilot project library, urban-village phases with their
demolition gate, and the hash-chained signing ledger."""
