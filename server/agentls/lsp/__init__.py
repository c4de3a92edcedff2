"""The language server (pygls 2): thin adapters over the engine."""
