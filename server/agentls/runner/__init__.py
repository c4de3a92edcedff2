"""Agent runtime: definitions, the Anthropic streaming loop, the tool sandbox, results.

Nothing here imports pygls; the LSP adapter is ``agentls.lsp.agent_actions`` and the
terminal front end ``agentls.runner.cli``.
"""
