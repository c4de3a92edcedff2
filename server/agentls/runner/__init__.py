"""Agent runtime: definitions, the Anthropic streaming loop, the tool sandbox, results.

Nothing here imports pygls; the LSP adapters are ``agentls.lsp.agent_runs`` (with
``agent_proposals``, ``agent_conversations``, ``agent_actions``) and the terminal front end
``agentls.runner.cli``.
"""
