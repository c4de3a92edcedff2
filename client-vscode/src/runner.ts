// Running an agent on a selection: pickers, the agentls/runAgent request, progress, cancel.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { AgentsProvider } from './agentsView';
import { promptProblem, taskChoices } from './ask';
import {
  AgentInfo,
  applyProposal,
  conversation,
  newRunId,
  RunAgentParams,
  RunAgentResult,
  runAgent,
  runOutput,
  runs,
  Task,
  TASKS,
} from './protocol';
import { ResultsView } from './resultsView';
import {
  applyOutput,
  applyResult,
  canApply,
  conversationId,
  conversationOf,
  emptyRuns,
  isRunning,
  markApplied,
  markCancelled,
  pastRunItem,
  prune,
  restoreRun,
  RunsState,
  startRun,
} from './runState';
import { ServerManager } from './server';
import { runnableAgents } from './tree';

/** A run this window asked for, known by the id it gave the run (the server uses it too). */
interface InFlight {
  runId: string;
  cts: vscode.CancellationTokenSource;
}

export class Runner implements vscode.Disposable {
  readonly state: RunsState = emptyRuns();
  private inFlight: InFlight[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly results: ResultsView;

  constructor(
    private readonly server: ServerManager,
    private readonly agents: AgentsProvider,
    /** Where the conversation shown is remembered, to show it again after a reload. */
    private readonly memento?: vscode.Memento,
  ) {
    this.results = new ResultsView({
      cancel: (runId) => this.cancel(runId),
      openAsDocument: () => void this.openAsDocument(),
      followUp: (conv, prompt) => void this.followUp(conv, prompt),
      apply: (runId) => void this.applyProposal(runId),
    });
  }

  /** Registers the runOutput handler on a (new) client. */
  attach(client: LanguageClient): void {
    client.onNotification(runOutput, (n) => {
      const run = applyOutput(this.state, n);
      this.show(run.runId);
      this.fireChanged();
    });
  }

  /** Shows the conversation of the current run when `runId` belongs to it. */
  private show(runId: string): void {
    const cur = this.state.current;
    if (!cur) return;
    const turns = conversationOf(this.state, cur);
    if (runId === cur || turns.some((r) => r.runId === runId)) this.results.update(turns);
  }

  /**
   * After a (re)start: the conversation shown before the window reloaded, from the server's
   * kept runs (agentls/conversation), unless this window already shows one.
   */
  async restore(): Promise<void> {
    const id = this.memento?.get<string>(CONVERSATION_KEY);
    const client = this.server.running();
    if (!id || !client || this.state.current) return;
    try {
      const res = await client.sendRequest(conversation, { conversation: id });
      if (this.state.current || !res.runs.length) return;
      this.showKept(res.runs, res.runs[res.runs.length - 1].runId);
    } catch (e) {
      this.server.output.appendLine(`[agentls] ${conversation.method} failed: ${String((e as Error)?.message ?? e)}`);
    }
  }

  /** Kept runs of one conversation (agentls/conversation), shown in Results with `runId`
   * as the current one. */
  private showKept(kept: RunAgentResult[], runId: string): void {
    for (const r of kept) {
      if (this.state.runs.get(r.runId)?.status !== 'running') restoreRun(this.state, r); // a run still streaming stays
    }
    this.state.current = runId;
    this.show(runId);
  }

  /**
   * "agentls: Show a past run…": the workspace's kept runs (agentls/runs: the CLI's and every
   * editor's, newest first); the one picked is shown in Results with its conversation, where
   * a follow-up continues it and Apply applies its kept proposal.
   */
  async showPastRun(): Promise<void> {
    const client = this.server.running();
    if (!client) {
      void vscode.window.showErrorMessage('agentls: the language server is not running.');
      return;
    }
    try {
      const uri = vscode.window.activeTextEditor?.document.uri;
      const listed = await client.sendRequest(runs, { limit: 100, uri: uri ? client.code2ProtocolConverter.asUri(uri) : null });
      if (!listed.runs.length) {
        void vscode.window.showInformationMessage('agentls: no agent run is kept for this workspace yet.');
        return;
      }
      const items = listed.runs.map((r) => ({ ...pastRunItem(r), runId: r.runId }));
      const pick = await vscode.window.showQuickPick(items, {
        title: 'agentls: Show a past run',
        placeHolder: listed.skipped ? `${listed.skipped} unreadable record(s) left out` : 'Agent run (newest first)',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!pick) return;
      const res = await client.sendRequest(conversation, { conversation: pick.runId });
      if (!res.runs.length) {
        void vscode.window.showWarningMessage(`agentls: run ${pick.runId} is no longer kept.`);
        return;
      }
      this.showKept(res.runs, pick.runId);
      void this.memento?.update(CONVERSATION_KEY, res.conversation);
      await this.results.reveal();
    } catch (e) {
      const msg = String((e as Error)?.message ?? e);
      this.server.output.appendLine(`[agentls] ${runs.method} failed: ${msg}`);
      void vscode.window.showErrorMessage(`agentls: the past runs could not be listed: ${msg}`);
    }
  }

  private fireChanged(): void {
    void vscode.commands.executeCommand('setContext', 'agentls.running', isRunning(this.state) || this.inFlight.length > 0);
    this.changed.fire();
  }

  get busy(): boolean {
    return this.inFlight.length > 0;
  }

  /** Cancels the run `runId` (null: every run of this window). */
  cancel(runId: string | null): void {
    for (const f of runId ? this.inFlight.filter((x) => x.runId === runId) : this.inFlight) {
      f.cts.cancel();
      markCancelled(this.state, f.runId);
    }
    if (this.state.current) this.show(this.state.current);
    this.fireChanged();
  }

  private async openAsDocument(): Promise<void> {
    if (!this.state.current) return;
    const turns = conversationOf(this.state, this.state.current);
    if (!turns.length) return;
    const parts = [`# ${turns[0].agent} · ${turns[0].task}`];
    for (const t of turns) {
      if (t.prompt) parts.push(`> ${t.prompt.replace(/\n/g, '\n> ')}`);
      parts.push(t.text);
      for (const p of t.proposals) parts.push('```diff\n' + p.diff + '\n```');
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: parts.join('\n\n') + '\n' });
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  /** A follow-up typed under the last answer: the same conversation, with its history. */
  async followUp(conv: string, prompt: string): Promise<RunAgentResult | undefined> {
    if (promptProblem(prompt)) return undefined;
    return this.run({ conversation: conv, prompt: prompt.trim() });
  }

  /** Applies a run's kept proposals as they were shown: no model call (agentls/applyProposal). */
  async applyProposal(runId: string): Promise<boolean> {
    const client = this.server.running();
    if (!client) {
      void vscode.window.showErrorMessage('agentls: the language server is not running.');
      return false;
    }
    try {
      const res = await client.sendRequest(applyProposal, { runId });
      markApplied(this.state, runId, res.applied, res.message);
      this.show(runId);
      if (!res.applied) void vscode.window.showWarningMessage(`agentls: ${res.message ?? 'the changes were not applied.'}`);
      return res.applied;
    } catch (e) {
      const msg = String((e as Error)?.message ?? e);
      markApplied(this.state, runId, false, msg);
      this.show(runId);
      void vscode.window.showErrorMessage(`agentls: applying the proposal failed: ${msg}`);
      return false;
    }
  }

  /** Palette / context menu: agent (unless given), then task, on the active editor's selection. */
  async askOnSelection(agentName?: string): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('agentls: open a file and select some code first.');
      return;
    }
    const client = this.server.running();
    if (!client) {
      void vscode.window.showErrorMessage('agentls: the language server is not running.', 'Show output').then((p) => {
        if (p) this.server.output.show(true);
      });
      return;
    }
    const agent = agentName ?? (await this.pickAgent());
    if (!agent) return;
    const choice = await pickTask(agent, this.agents.agents.find((a) => a.name === agent));
    if (!choice) return;
    const sel = editor.selection;
    const range = sel.isEmpty ? wholeDocument(editor.document) : new vscode.Range(sel.start, sel.end);
    const params: RunAgentParams = {
      agent,
      task: choice.task,
      uri: client.code2ProtocolConverter.asUri(editor.document.uri),
      range: client.code2ProtocolConverter.asRange(range),
      version: editor.document.version,
    };
    if (choice.prompt) params.prompt = choice.prompt;
    await this.run(params);
  }

  private async pickAgent(): Promise<string | undefined> {
    if (!this.agents.agents.length) await this.agents.refresh();
    const allow = vscode.workspace.getConfiguration('agentls').get<string[] | null>('agents') ?? null;
    const list: AgentInfo[] = runnableAgents(this.agents.agents, allow);
    if (!list.length) {
      const name = await vscode.window.showInputBox({
        title: 'agentls: Ask an agent',
        prompt: 'No agents are listed by the server. Name of the agent to run:',
        value: 'backend-engineer',
      });
      return name?.trim() || undefined;
    }
    const items = list.map((a) => ({
      label: a.name,
      description: [a.model ?? 'inherit', a.scope].join(' · '),
      detail: a.description ?? undefined,
      name: a.name,
    }));
    const pick = await vscode.window.showQuickPick(items, {
      title: 'agentls: Ask an agent about the selection',
      placeHolder: 'Agent',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return pick?.name;
  }

  /** Runs one agent (also the route of the server's `agentls.runAgent` command from code actions). */
  async run(params: RunAgentParams): Promise<RunAgentResult | undefined> {
    const client = this.server.running();
    if (!client) {
      void vscode.window.showErrorMessage('agentls: the language server is not running.');
      return undefined;
    }
    // a follow-up names only its conversation: agent and task are those of the earlier run
    const earlier = params.conversation ? this.state.runs.get(params.conversation) : undefined;
    const conv = earlier ? conversationId(earlier) : (params.conversation ?? null);
    const agentName = params.agent ?? earlier?.agent ?? '';
    const task = params.task ?? (params.prompt ? 'ask' : (earlier?.task ?? 'ask'));
    const taskLabel = params.conversation ? 'follow-up' : (TASKS.find((t) => t.id === task)?.title ?? task);
    const f: InFlight = { runId: params.runId ?? newRunId(), cts: new vscode.CancellationTokenSource() };
    const request: RunAgentParams = { ...params, runId: f.runId };
    this.inFlight.push(f);
    startRun(this.state, f.runId, agentName, task, params.prompt ?? null, conv);
    this.show(f.runId);
    void this.memento?.update(CONVERSATION_KEY, conv ?? f.runId);
    await this.results.reveal();
    this.fireChanged();
    try {
      return await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `agentls: ${agentName} — ${taskLabel}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => this.cancel(f.runId));
          progress.report({ message: 'running…' });
          let result: RunAgentResult;
          try {
            result = await client.sendRequest(runAgent, request, f.cts.token);
          } catch (e) {
            if (f.cts.token.isCancellationRequested) {
              markCancelled(this.state, f.runId);
              this.show(f.runId);
              return undefined;
            }
            throw e;
          }
          const run = applyResult(this.state, result, agentName, task);
          this.show(run.runId);
          // a declined or incomplete proposal waits in Results with its diff and Apply
          if (canApply(run)) void this.results.reveal();
          if (result.status === 'failed') {
            void vscode.window.showErrorMessage(`agentls: ${agentName} failed: ${result.message ?? 'unknown error'}`);
          }
          return result;
        },
      );
    } catch (e) {
      const msg = String((e as Error)?.message ?? e);
      this.server.output.appendLine(`[agentls] ${runAgent.method} failed: ${msg}`);
      void vscode.window.showErrorMessage(`agentls: the agent run failed: ${msg}`);
      return undefined;
    } finally {
      this.inFlight = this.inFlight.filter((x) => x !== f);
      f.cts.dispose();
      prune(this.state);
      this.fireChanged();
    }
  }

  dispose(): void {
    for (const f of this.inFlight) f.cts.cancel();
    this.results.dispose();
    this.changed.dispose();
  }
}

const CONVERSATION_KEY = 'agentls.results.conversation';

/** The task, and for Ask the user's own words (an input box after the pick). */
async function pickTask(agent: string, info: AgentInfo | undefined): Promise<{ task: Task; prompt?: string } | undefined> {
  const pick = await vscode.window.showQuickPick(taskChoices(info), {
    title: `agentls: what should ${agent} do?`,
    placeHolder: 'Task, or Ask… to type your own question',
  });
  if (!pick) return undefined;
  if (!pick.needsPrompt) return { task: pick.id };
  const prompt = await vscode.window.showInputBox({
    title: `agentls: ask ${agent} about the selection`,
    prompt: 'Your question or instruction (the selected code goes with it)',
    placeHolder: 'Is this safe under concurrent requests?',
    ignoreFocusOut: true,
    validateInput: promptProblem,
  });
  if (prompt === undefined || promptProblem(prompt)) return undefined;
  return { task: pick.id, prompt: prompt.trim() };
}

function wholeDocument(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}
