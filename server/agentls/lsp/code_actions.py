"""Code actions: quick fixes from findings, ``source.fixAll.agentls``, and what other
features contribute (agent tasks on a selection: agentls.lsp.agent_actions).

Every finding also gets "Ignore AL013 on this line" and "Ignore AL013 in this file"
(agentls.config.quickfix), after its own fixes and verified like them; so do the findings
across files (the index's), verified by settling them on the fixed text. Fix-all applies only
safe fixes, never a suppression, and nothing the configuration turned off.

Bounded per request: every quick fix is verified by re-running the engine on the whole text
(a selection over 1,000 `grep` entries took 11 s), in batches, for at most
``editing.fixes.MAX_OFFERED_FINDINGS`` findings; one more entry says how many fixes were left
unchecked. The verification runs off the event loop for a large or slow document.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from agentls.lsp.convert import from_lsp_range, text_edits_for, to_diagnostic
from agentls.lsp.features import Feature

if TYPE_CHECKING:
    from pygls.workspace.position_codec import PositionCodec

    from agentls.engine import Analysis
    from agentls.lsp.documents import Cached
    from agentls.lsp.server import AgentlsServer
    from agentls.types import Finding, Fix, TextEdit

log = logging.getLogger("agentls")

FIX_ALL = "source.fixAll.agentls"


def _edit(
    codec: PositionCodec, uri: str, version: int | None, text: str, fix: Fix
) -> lsp.WorkspaceEdit:
    edits: list[lsp.TextEdit | lsp.AnnotatedTextEdit | lsp.SnippetTextEdit] = []
    edits += text_edits_for(codec, text, fix.edits)
    changes: list[lsp.TextDocumentEdit | lsp.CreateFile | lsp.RenameFile | lsp.DeleteFile] = []
    if edits:
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits,
            )
        )
    if fix.rename_to is not None:  # after the edits, which name the document by its old uri
        from pygls.uris import from_fs_path

        new_uri = from_fs_path(fix.rename_to) or fix.rename_to
        options = lsp.RenameFileOptions(overwrite=False, ignore_if_exists=False)
        changes.append(lsp.RenameFile(old_uri=uri, new_uri=new_uri, options=options))
    return lsp.WorkspaceEdit(document_changes=changes)


def renames_ok(ls: AgentlsServer) -> bool:
    """Whether the client applies ``RenameFile`` in a workspace edit (VS Code, Neovim 0.11:
    it lists the resource operation without declaring ``documentChanges``, and applies
    them)."""
    ws = ls.client_capabilities.workspace
    we = ws.workspace_edit if ws else None
    ops = we.resource_operations if we and we.resource_operations else []
    return lsp.ResourceOperationKind.Rename in ops


def more_entry(ls: AgentlsServer, title: str, kind: str, reason: str) -> lsp.CodeAction:
    """An entry that only says what a bounded list left out (disabled, with ``reason``,
    where the client shows disabled actions; elsewhere an action that does nothing)."""
    td = ls.client_capabilities.text_document
    ca = td.code_action if td else None
    disabled = lsp.CodeActionDisabled(reason=reason) if ca and ca.disabled_support else None
    return lsp.CodeAction(title=title, kind=kind, disabled=disabled)


def _verified_actions(
    codec: PositionCodec,
    uri: str,
    cached: Cached,
    findings: Sequence[Finding],
    extra: Sequence[Finding] = (),
    renames: bool = False,
) -> tuple[list[lsp.CodeAction], int]:
    """The verified fixes of ``findings`` (the analysis' own) and the suppression fixes of
    ``extra`` (findings across files), as code actions; how many were left unverified."""
    from agentls.editing.fixes import (  # not at start-up
        offered_fixes,
        verify_suppression_of_extra,
        with_suppression_fixes,
    )

    a = cached.analysis
    lines = a.lines if a.lines is not None else cached.text.split("\n")
    seen: set[tuple[str, tuple[TextEdit, ...]]] = set()
    verified, skipped = offered_fixes(
        cached.text, a.path, a.dialect, a, with_suppression_fixes(a, findings, seen)
    )
    for f in with_suppression_fixes(a, extra, seen):
        for fix in f.fixes:
            if verify_suppression_of_extra(cached.text, a.path, a.dialect, a, f, fix):
                verified.append((f, fix))
    diags: dict[int, lsp.Diagnostic] = {}
    out = []
    for f, fix in verified:
        if fix.rename_to is not None and not renames:
            continue  # a client that cannot rename a file gets no half of the fix
        first = id(f) not in diags
        diag = diags.setdefault(id(f), to_diagnostic(codec, lines, f))
        out.append(
            lsp.CodeAction(
                title=fix.title,
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=_edit(codec, uri, cached.version, cached.text, fix),
                is_preferred=fix.safe and first,
            )
        )
    return out, skipped


async def quick_fixes(ls: AgentlsServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    cached = await ls.analysis(uri)
    if cached is None or (cached.analysis.lines is None and cached.analysis.config is None):
        return []
    codec = ls.workspace.position_codec
    want = params.context.only
    out: list[lsp.CodeAction] = []
    if not want or any(
        k == lsp.CodeActionKind.QuickFix or str(k).startswith("quickfix") for k in want
    ):
        a = cached.analysis
        lines = a.lines if a.lines is not None else cached.text.split("\n")
        rng = from_lsp_range(codec, lines, params.range)
        from agentls.editing.fixes import MAX_OFFERED_FINDINGS  # not at start-up
        from agentls.lsp.diagnostics import reported_findings

        here = [f for f in a.findings if f.range.overlaps(rng)]
        own = {id(f) for f in a.findings}
        extra = [
            f
            for f in reported_findings(ls, uri, cached)
            if id(f) not in own and f.range.overlaps(rng)
        ][:MAX_OFFERED_FINDINGS]
        # verification analyses the text again: a batch per round, within a budget of runs
        actions, skipped = await ls.state.documents.run(
            uri,
            cached.text,
            _verified_actions,
            codec,
            uri,
            cached,
            here,
            extra,
            renames_ok(ls),
            times=8,
        )
        out += actions
        if skipped:
            out.append(
                more_entry(
                    ls,
                    f"… and {skipped:,} more fixes (select fewer lines to see them)",
                    lsp.CodeActionKind.QuickFix,
                    f"agentls checks the fixes of {MAX_OFFERED_FINDINGS} problems per request; "
                    "these were not checked",
                )
            )
    if want and any(str(k) in (FIX_ALL, "source.fixAll", "source") for k in want):
        action = await fix_all_action(ls, uri)
        if action is not None:
            out.append(action)
    return out


def _fix_all(codec: PositionCodec, uri: str, cached: Cached) -> lsp.CodeAction | None:
    from agentls.editing.fixes import diff_edits, fix_all  # not at start-up
    from agentls.types import Fix

    a: Analysis = cached.analysis
    assert a.lines is not None
    new_text, applied, _ = fix_all(cached.text, a.path, a.dialect, policy=a.policy)
    if not applied or new_text == cached.text:
        return None
    # verified safe fixes, applied in rounds; sent as minimal line edits (a rename is a
    # quick fix of its own: fix-all edits the document where it is)
    merged = Fix("Fix all safe agentls problems", tuple(diff_edits(cached.text, new_text)))
    edit = _edit(codec, uri, cached.version, cached.text, merged)
    return lsp.CodeAction(title=merged.title, kind=FIX_ALL, edit=edit)


async def fix_all_action(ls: AgentlsServer, uri: str) -> lsp.CodeAction | None:
    cached = await ls.analysis(uri)
    if cached is None or cached.analysis.lines is None:
        return None
    codec = ls.workspace.position_codec
    # fix_all analyses the text again after each round of fixes
    return await ls.state.documents.run(
        uri, cached.text, _fix_all, codec, uri, cached, times=len(cached.analysis.findings)
    )


class CodeActions(Feature):
    name = "code actions"

    def register(self, server: AgentlsServer) -> None:
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
            actions: list[lsp.CodeAction | lsp.Command] = []
            actions += await quick_fixes(ls, params)
            for feature in ls.features:
                try:
                    actions += await feature.code_actions(ls, params)
                except Exception:
                    log.exception("the %s feature failed to offer code actions", feature.name)
            return actions or None
