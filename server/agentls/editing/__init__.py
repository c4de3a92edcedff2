"""Editing features as pure functions: completion, hover, outline, folding, verified fixes.

Nothing here imports pygls or lsprotocol; :mod:`agentls.lsp.editing` adapts these results.
"""
