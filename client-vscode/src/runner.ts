// Running an agent on a selection: pickers, the agentls/runAgent request, progress, cancel.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { AgentsProvider } from './agentsView';
import { AgentInfo, newRunId, RunAgentParams, RunAgentResult, runAgent, runOutput, Task, TASKS } from './protocol';
import { ResultsView } from './resultsView';
import { applyOutput, applyResult, emptyRuns, isRunning, markCancelled, prune, RunsState, startRun } from './runState';
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
  ) {
    this.results = new ResultsView(
      (runId) => this.cancel(runId),
      () => void this.openAsDocument(),
    );
  }

  /** Registers the runOutput handler on a (new) client. */
  attach(client: LanguageClient): void {
    client.onNotification(runOutput, (n) => {
      const run = applyOutput(this.state, n);
      if (this.state.current === run.runId) this.results.update(run);
      this.fireChanged();
    });
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
    const cur = this.state.current ? this.state.runs.get(this.state.current) : undefined;
    if (cur) this.results.update(cur);
    this.fireChanged();
  }

  private async openAsDocument(): Promise<void> {
    const cur = this.state.current ? this.state.runs.get(this.state.current) : undefined;
    if (!cur) return;
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: `# ${cur.agent} · ${cur.task}\n\n${cur.text}\n`,
    });
    await vscode.window.showTextDocument(doc, { preview: false });
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
    const task = await pickTask(agent);
    if (!task) return;
    const sel = editor.selection;
    const range = sel.isEmpty ? wholeDocument(editor.document) : new vscode.Range(sel.start, sel.end);
    const params: RunAgentParams = {
      agent,
      task,
      uri: client.code2ProtocolConverter.asUri(editor.document.uri),
      range: client.code2ProtocolConverter.asRange(range),
      version: editor.document.version,
    };
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
    const taskLabel = TASKS.find((t) => t.id === params.task)?.title ?? params.task;
    const f: InFlight = { runId: params.runId ?? newRunId(), cts: new vscode.CancellationTokenSource() };
    const request: RunAgentParams = { ...params, runId: f.runId };
    this.inFlight.push(f);
    this.results.update(startRun(this.state, f.runId, params.agent ?? '', params.task ?? 'ask'));
    await this.results.reveal();
    this.fireChanged();
    try {
      return await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `agentls: ${params.agent} — ${taskLabel}`,
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
              const cur = this.state.runs.get(f.runId);
              if (cur) this.results.update(cur);
              return undefined;
            }
            throw e;
          }
          const run = applyResult(this.state, result, params.agent ?? '', params.task ?? 'ask');
          if (this.state.current === run.runId) this.results.update(run);
          if (result.status === 'failed') {
            void vscode.window.showErrorMessage(`agentls: ${params.agent} failed: ${result.message ?? 'unknown error'}`);
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

async function pickTask(agent: string): Promise<Task | undefined> {
  const pick = await vscode.window.showQuickPick(
    // a task that needs the user's own words (ask) is not offered until there is a box for them
    TASKS.filter((t) => !t.needsPrompt).map((t) => ({ label: t.title, detail: t.detail, id: t.id })),
    { title: `agentls: what should ${agent} do?`, placeHolder: 'Task' },
  );
  return pick?.id;
}

function wholeDocument(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}
