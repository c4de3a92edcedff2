"""The checks of a Claude Code sub-agent file, one module per concern (see claude_agent.py)."""
