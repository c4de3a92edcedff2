"""Code actions: quick fixes from findings, ``source.fixAll.agentls``, and agent tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from agentls.lsp.convert import from_lsp_range, text_edits_for, to_diagnostic

if TYPE_CHECKING:
    from agentls.lsp.server import AgentlsServer
    from agentls.types import Fix

FIX_ALL = "source.fixAll.agentls"


def _edit(
    ls: AgentlsServer, uri: str, version: int | None, text: str, fix: Fix
) -> lsp.WorkspaceEdit:
    edits: list[lsp.TextEdit | lsp.AnnotatedTextEdit | lsp.SnippetTextEdit] = []
    edits += text_edits_for(ls.workspace.position_codec, text, fix.edits)
    return lsp.WorkspaceEdit(
        document_changes=[
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits,
            )
        ]
    )


def quick_fixes(ls: AgentlsServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    cached = ls.analysis(uri)
    if cached is None or cached.analysis.doc is None:
        return []
    a = cached.analysis
    doc = a.doc
    assert doc is not None
    codec = ls.workspace.position_codec
    lines = doc.lines
    want = params.context.only
    out: list[lsp.CodeAction] = []
    if not want or any(
        k == lsp.CodeActionKind.QuickFix or str(k).startswith("quickfix") for k in want
    ):
        rng = from_lsp_range(codec, lines, params.range)
        # every fix is verified by re-running the engine on the result: in batches, for
        # at most MAX_OFFERED_FINDINGS findings per request
        from agentls.editing.fixes import MAX_OFFERED_FINDINGS, offered_fixes  # not at start-up

        here = [f for f in a.findings if f.fixes and f.range.overlaps(rng)]
        verified, skipped = offered_fixes(cached.text, a.path, a.dialect, a, here)
        diags: dict[int, lsp.Diagnostic] = {}
        first: set[int] = set()
        for f, fix in verified:
            diag = diags.setdefault(id(f), to_diagnostic(codec, lines, f))
            out.append(
                lsp.CodeAction(
                    title=fix.title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=_edit(ls, uri, cached.version, cached.text, fix),
                    is_preferred=fix.safe and id(f) not in first,
                )
            )
            first.add(id(f))
        if skipped:
            out.append(
                lsp.CodeAction(
                    title=f"… and {skipped:,} more fixes (select fewer lines to see them)",
                    kind=lsp.CodeActionKind.QuickFix,
                    disabled=lsp.CodeActionDisabled(
                        reason=f"agentls checks the fixes of {MAX_OFFERED_FINDINGS} problems "
                        "per request; these were not checked"
                    ),
                )
            )
    if want and any(str(k) in (FIX_ALL, "source.fixAll", "source") for k in want):
        action = fix_all_action(ls, uri)
        if action is not None:
            out.append(action)
    return out


def fix_all_action(ls: AgentlsServer, uri: str) -> lsp.CodeAction | None:
    cached = ls.analysis(uri)
    if cached is None or cached.analysis.doc is None:
        return None
    a = cached.analysis
    from agentls.editing.fixes import diff_edits, fix_all  # not at start-up

    new_text, applied, _ = fix_all(cached.text, a.path, a.dialect)
    if not applied or new_text == cached.text:
        return None
    # verified safe fixes, applied in rounds; sent as minimal line edits
    from agentls.types import Fix

    merged = Fix("Fix all safe agentls problems", tuple(diff_edits(cached.text, new_text)))
    return lsp.CodeAction(
        title=merged.title,
        kind=FIX_ALL,
        edit=_edit(ls, uri, cached.version, cached.text, merged),
    )


def register(server: AgentlsServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[
                lsp.CodeActionKind.QuickFix,
                FIX_ALL,
                lsp.CodeActionKind.RefactorRewrite,
                lsp.CodeActionKind.Empty,
            ],
            resolve_provider=False,
        ),
    )
    async def code_action(
        ls: AgentlsServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction | lsp.Command] | None:
        actions: list[Any] = quick_fixes(ls, params)
        try:
            from agentls.lsp.agent_actions import agent_code_actions
        except ImportError:
            agent_code_actions = None  # type: ignore[assignment]
        if agent_code_actions is not None:
            actions.extend(agent_code_actions(ls, params))
        return actions or None
