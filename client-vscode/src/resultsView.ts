// The Results view: a webview that shows the streamed answer of the current agent run.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { resultsHtml as html } from './resultsHtml';
import { canApply, conversationId, RunView, usageLine } from './runState';

export interface ResultsMessage {
  type: 'cancel' | 'openAsDocument' | 'ready' | 'followUp' | 'apply';
  runId?: string | null;
  conversation?: string;
  prompt?: string;
}

export interface ResultsHandlers {
  cancel(runId: string | null): void;
  openAsDocument(): void;
  /** A follow-up typed under the last answer. */
  followUp(conversation: string, prompt: string): void;
  /** "Apply" under a run's proposed diff. */
  apply(runId: string): void;
}

/** What the webview renders for one run (a turn of the conversation). */
export interface TurnView extends RunView {
  usageLine: string;
  canApply: boolean;
}

export class ResultsView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'agentls.results';
  private view: vscode.WebviewView | undefined;
  private last: RunView[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly handlers: ResultsHandlers) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [] };
    view.webview.html = html(crypto.randomBytes(16).toString('base64'), view.webview.cspSource);
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: ResultsMessage) => {
        if (m.type === 'cancel') this.handlers.cancel(m.runId ?? null);
        else if (m.type === 'openAsDocument') this.handlers.openAsDocument();
        else if (m.type === 'ready') this.flush();
        else if (m.type === 'followUp' && m.conversation && typeof m.prompt === 'string') {
          this.handlers.followUp(m.conversation, m.prompt);
        } else if (m.type === 'apply' && m.runId) this.handlers.apply(m.runId);
      }),
      view.onDidDispose(() => {
        this.view = undefined;
      }),
    );
  }

  /** Shows the view (without taking the focus from the editor). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${ResultsView.viewId}.focus`, { preserveFocus: true });
  }

  /** Shows a conversation (its runs, oldest first); updates are throttled (the webview is
   * re-rendered at most every 50 ms). */
  update(turns: RunView[]): void {
    this.last = turns;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 50);
  }

  private flush(): void {
    if (!this.view) return;
    const turns = this.last;
    if (!turns.length) return;
    const r = turns[turns.length - 1];
    const views: TurnView[] = turns.map((t) => ({ ...t, usageLine: usageLine(t), canApply: canApply(t) }));
    void this.view.webview.postMessage({ type: 'conversation', conversation: conversationId(r), turns: views });
    this.view.description = `${r.agent} · ${r.task} · ${r.status}`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
