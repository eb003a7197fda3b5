"""Core services shared by every domain: settings, errors, units, spatial engine, store, audit."""
