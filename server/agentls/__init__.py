"""agentls: language server and checker for AI agent definition files."""

__version__ = "0.1.0"
