// The Agents view: agents from agentls/agents, grouped by scope.
import * as vscode from 'vscode';
import { AgentInfo, agents } from './protocol';
import { ServerManager } from './server';
import { AgentNode, buildTree, GroupNode, ProblemCount, SCOPE_LABELS, totalProblems } from './tree';

type Node = GroupNode | AgentNode;

const SCOPE_ICONS: Record<string, string> = {
  project: 'folder',
  user: 'account',
  plugin: 'extensions',
  bundled: 'package',
};

export class AgentsProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly agentsChanged = new vscode.EventEmitter<AgentInfo[]>();
  /** Fires after each successful refresh with the full agent list. */
  readonly onDidChangeAgents = this.agentsChanged.event;
  agents: AgentInfo[] = [];
  private groups: GroupNode[] = [];
  view: vscode.TreeView<Node> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly server: ServerManager) {}

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'group') {
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `scope:${n.scope}`;
      item.description = n.description;
      item.iconPath = new vscode.ThemeIcon(SCOPE_ICONS[n.scope] ?? 'folder');
      item.contextValue = 'scope';
      return item;
    }
    const a = n.agent;
    const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
    item.id = `agent:${a.scope}:${a.uri}`;
    item.description = n.description;
    item.tooltip = n.tooltip;
    item.contextValue = n.contextValue;
    item.resourceUri = vscode.Uri.parse(a.uri);
    item.iconPath = !a.loads
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
      : a.errors
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : a.warnings
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : new vscode.ThemeIcon('hubot');
    item.command = { command: 'agentls.agents.open', title: 'Open definition', arguments: [n] };
    item.accessibilityInformation = { label: `${a.name}, ${SCOPE_LABELS[a.scope]} agent, ${n.description}` };
    return item;
  }

  getChildren(n?: Node): Node[] {
    if (!n) return this.groups;
    return n.kind === 'group' ? n.children : [];
  }

  getParent(n: Node): Node | undefined {
    if (n.kind === 'group') return undefined;
    return this.groups.find((g) => g.children.includes(n));
  }

  /** Counts of the diagnostics VS Code holds for our server, by document URI. */
  private liveCounts(): Map<string, ProblemCount> {
    const out = new Map<string, ProblemCount>();
    const coll = this.server.client?.diagnostics;
    if (!coll) return out;
    coll.forEach((uri, diags) => {
      let errors = 0;
      let warnings = 0;
      for (const d of diags) {
        if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
        else if (d.severity === vscode.DiagnosticSeverity.Warning) warnings++;
      }
      out.set(uri.toString(), { errors, warnings });
    });
    return out;
  }

  /** Re-renders with fresh problem counts without asking the server (cheap). */
  rerender(): void {
    this.groups = buildTree(this.agents, this.liveCounts());
    this.changed.fire(undefined);
    this.updateMessage();
  }

  /** Debounced refresh (file changes, diagnostics changes). */
  scheduleRefresh(ms = 400): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const client = this.server.running();
    if (!client) {
      this.agents = [];
      this.rerender();
      return;
    }
    try {
      const res = await client.sendRequest(agents, {});
      if (gen !== this.generation) return;
      this.agents = res?.agents ?? [];
      this.error = null;
    } catch (e) {
      if (gen !== this.generation) return;
      const code = (e as { code?: number })?.code;
      this.error =
        code === -32601
          ? 'This agentls server cannot list agents (agentls/agents is missing): update agentls.'
          : `The server could not list agents: ${String((e as Error)?.message ?? e)}`;
      this.server.output.appendLine(`[agentls] ${agents.method}: ${String(e)}`);
    }
    this.rerender();
    this.agentsChanged.fire(this.agents);
  }

  private error: string | null = null;

  private updateMessage(): void {
    if (!this.view) return;
    if (this.server.state === 'failed') this.view.message = 'The agentls language server is not running.';
    else if (this.server.state === 'starting') this.view.message = 'Starting the agentls language server…';
    else if (this.error) this.view.message = this.error;
    else this.view.message = undefined;
    const { errors, warnings } = totalProblems(this.groups.flatMap((g) => g.children.map((c) => c.agent)));
    this.view.badge = errors + warnings ? { value: errors + warnings, tooltip: `${errors + warnings} problems in agent files` } : undefined;
  }

  totals(): ProblemCount {
    return totalProblems(this.groups.flatMap((g) => g.children.map((c) => c.agent)));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
    this.agentsChanged.dispose();
  }
}
