"""Rules: the registry and the checks of each dialect."""
