// Status bar item: server state, agent problems, running agents.
import * as vscode from 'vscode';
import { AgentsProvider } from './agentsView';
import { Runner } from './runner';
import { ServerManager } from './server';
import { describeLaunch } from './settings';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('agentls.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly server: ServerManager,
    private readonly agents: AgentsProvider,
    private readonly runner: Runner,
  ) {
    this.item.name = 'agentls';
    this.subs.push(
      server.onDidChangeState(() => this.render()),
      agents.onDidChangeTreeData(() => this.render()),
      runner.onDidChange(() => this.render()),
    );
    this.render();
    this.item.show();
  }

  render(): void {
    const s = this.server.state;
    const { errors, warnings } = this.agents.totals();
    const running = this.runner.busy;
    const icon = running ? '$(sync~spin)' : s === 'failed' ? '$(error)' : s === 'starting' ? '$(loading~spin)' : '$(hubot)';
    const problems = errors + warnings ? ` $(error) ${errors} $(warning) ${warnings}` : '';
    this.item.text = `${icon} agentls${s === 'running' ? problems : ` (${s})`}`;
    const lines = [
      `agentls language server: ${s}`,
      this.server.launch ? `command: ${describeLaunch(this.server.launch)}` : '',
      this.server.lastError ?? '',
      `agent problems: ${errors} errors, ${warnings} warnings`,
      running ? 'an agent is running (click the Results view to cancel)' : '',
      'Click to show the agentls output.',
    ].filter(Boolean);
    this.item.tooltip = lines.join('\n');
    this.item.command = s === 'failed' ? 'agentls.restartServer' : 'agentls.showOutput';
    this.item.backgroundColor = s === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
    this.item.dispose();
  }
}
