"""Edit proposals of agent runs, sent to the editor: one versioned ``workspace/applyEdit``
whose every edit carries a change annotation that needs confirmation (files that run code
apart), never over text that changed; and ``agentls/applyProposal``, which sends a kept
run's proposals later, exactly as they were shown, with no model call.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from agentls.fsread import read_file
from agentls.lsp.agent_common import Refused, client_supports, find_record, open_doc_at, uri_of
from agentls.lsp.convert import text_edits_for
from agentls.lsp.features import Feature
from agentls.lsp.protocol import APPLY_PROPOSAL, ApplyProposalParams, ApplyProposalResult
from agentls.runner.redact import redact

if TYPE_CHECKING:  # the runtime imports the anthropic SDK: only load it when a run starts
    from agentls.lsp.server import AgentlsServer
    from agentls.runner.proposals import FileChange
    from agentls.runner.runtime import RunRequest

MAX_ORIGINAL_BYTES = 16 * 1024 * 1024  # a proposal's file, read again to see if it changed


@dataclass
class EditOrigin:
    """Where proposals come from: the run, and the document it ran on (its version pins the
    edit of that document)."""

    run_id: str
    workspace: Path
    who: str  # "Proposed by the agent X (Improve)"
    doc_real: Path
    doc_uri: str
    version: int | None

    @staticmethod
    def of(req: RunRequest, doc_uri: str) -> EditOrigin:
        return EditOrigin(
            req.run_id,
            req.workspace,
            f"Proposed by the agent {req.agent.name} ({req.task.title})",
            Path(os.path.realpath(req.file)),
            doc_uri,
            req.version,
        )


def build_workspace_edit(
    server: LanguageServer, origin: EditOrigin, changes: list[FileChange], title: str
) -> lsp.WorkspaceEdit:
    """One edit, every text edit annotated with a change that needs confirmation; the
    selected document is pinned to the selected version. Changes to files that run code
    (CI pipelines, editor tasks, agent hooks...) carry an annotation of their own, with its
    own label, so that editors show and confirm them apart."""
    plain_id = f"agentls-{origin.run_id}"
    code_id = f"agentls-{origin.run_id}-code"
    codec = server.workspace.position_codec
    doc_real = origin.doc_real
    document_changes: list[Any] = []
    for ch in changes:
        annotation_id = code_id if ch.runs_code else plain_id
        uri = uri_of(ch.path)
        if ch.created:
            document_changes.append(
                lsp.CreateFile(
                    uri=uri,
                    options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False),
                    annotation_id=annotation_id,
                )
            )
            edit_range = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
            new_text = ch.new
            version: int | None = None
        else:
            original = ch.original or ""
            from agentls.lines import minimal_edit

            [te] = text_edits_for(codec, original, [minimal_edit(original, ch.new)])
            edit_range, new_text = te.range, te.new_text
            if ch.path == doc_real:
                uri = origin.doc_uri
                version = origin.version
            else:
                open_doc = open_doc_at(server, ch.path)
                version = open_doc.version if open_doc is not None else None
                if open_doc is not None:
                    uri = open_doc.uri
        document_changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=[
                    lsp.AnnotatedTextEdit(
                        range=edit_range, new_text=new_text, annotation_id=annotation_id
                    )
                ],
            )
        )
    who = origin.who
    annotations = {}
    if any(not ch.runs_code for ch in changes):
        annotations[plain_id] = lsp.ChangeAnnotation(
            label=title, needs_confirmation=True, description=who
        )
    code = [ch for ch in changes if ch.runs_code]
    if code:
        what = "; ".join(f"{ch.rel} is {ch.runs_code}" for ch in code)
        annotations[code_id] = lsp.ChangeAnnotation(
            label=f"{title}: changes files that run code",
            needs_confirmation=True,
            description=f"{who}. {what}: what it writes will be run. Read it before accepting.",
        )
    return lsp.WorkspaceEdit(document_changes=document_changes, change_annotations=annotations)


def _changed(server: LanguageServer, ch: FileChange) -> bool:
    """Whether ``ch``'s file no longer holds what the proposal was made from."""
    open_doc = open_doc_at(server, ch.path)
    if open_doc is not None:
        return bool(open_doc.source != ch.original)
    # the proposal was computed on the file's exact UTF-8 bytes
    on_disk = read_file(str(ch.path), MAX_ORIGINAL_BYTES).data  # None: gone, no file
    return on_disk != (None if ch.original is None else ch.original.encode("utf-8"))


async def apply_changes(
    server: LanguageServer,
    origin: EditOrigin,
    changes: list[FileChange],
    title: str,
    *,
    pinned: bool = True,
) -> tuple[bool, str]:
    """Send the proposal; ``(applied, why not)``. Never sends over changed text.
    ``pinned``: the run's document is checked by its version (a live run); otherwise, as
    every other file, by its text (a kept proposal applied later)."""
    if not client_supports(server, "workspace", "apply_edit"):
        return False, "the editor does not support workspace/applyEdit"
    if not client_supports(server, "workspace", "workspace_edit", "document_changes"):
        return False, "the editor cannot apply versioned edits (documentChanges)"
    from agentls.fswrite import WriteRefused
    from agentls.runner.proposals import recheck
    from agentls.runner.sandbox import Sandbox, SandboxError

    try:  # every path checked again, as at the tool call: all or nothing
        recheck(Sandbox(origin.workspace), changes)
    except (WriteRefused, SandboxError) as e:
        return False, str(e)
    current = server.workspace.text_documents.get(origin.doc_uri) or open_doc_at(
        server, origin.doc_real
    )
    stale = current is not None and origin.version not in (None, current.version)
    if pinned and stale:
        return False, "the document changed while the agent was running"
    for ch in changes:
        if pinned and ch.path == origin.doc_real:
            continue
        if _changed(server, ch):
            when = "while the agent was running" if pinned else "since the run"
            return False, f"{ch.rel} changed {when}; nothing was applied"
    if not pinned:
        origin.version = current.version if current is not None else None
    edit = build_workspace_edit(server, origin, changes, title)
    try:
        res = await server.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(edit=edit, label=title)
        )
    except Exception as e:
        return False, f"the editor failed to apply the edit ({type(e).__name__})"
    if res is None or not res.applied:
        reason = getattr(res, "failure_reason", None) if res is not None else None
        return False, reason or "the editor (or you) declined the edit"
    return True, ""


async def apply_proposal(ls: AgentlsServer, p: ApplyProposalParams) -> ApplyProposalResult:
    """Send a kept run's proposals, exactly as they were shown, for confirmation: no model
    call; refused (nothing sent) when a file changed since the run."""
    from agentls.runner.results import changes_of
    from agentls.runner.store import mark_applied

    try:
        record = await asyncio.to_thread(find_record, ls, p.run_id)
    except Refused as e:
        return ApplyProposalResult(False, redact(str(e)))
    if not record.proposals:
        return ApplyProposalResult(False, f"run {record.id} proposed no change")
    root = Path(record.workspace)
    changes = changes_of(record, root)
    doc_real = Path(os.path.realpath(root / record.file))
    open_doc = open_doc_at(ls, doc_real)
    name = str(record.agent.get("name", "agent"))
    title = f"{name}: proposal of run {record.id}"
    origin = EditOrigin(
        record.id,
        root,
        f"Proposed by the agent {name} in run {record.id}",
        doc_real,
        open_doc.uri if open_doc is not None else uri_of(doc_real),
        None,
    )
    applied, why = await apply_changes(ls, origin, changes, title, pinned=False)
    if applied:
        await asyncio.to_thread(mark_applied, root, record, True)
        return ApplyProposalResult(True, f"{title}: applied {len(changes)} change(s).")
    return ApplyProposalResult(False, redact(f"{title}: not applied — {why}."))


class AgentProposals(Feature):
    name = "agent proposals"

    def register(self, server: AgentlsServer) -> None:
        @server.feature(APPLY_PROPOSAL)
        async def on_apply_proposal(
            ls: AgentlsServer, params: ApplyProposalParams
        ) -> ApplyProposalResult:
            return await apply_proposal(ls, params)
