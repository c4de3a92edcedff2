// Agents view model: AgentInfo[] → groups by scope (no vscode import).
import { AgentInfo, Scope, SCOPES } from './protocol';

export const SCOPE_LABELS: Record<Scope, string> = {
  project: 'Project',
  user: 'User',
  plugin: 'Plugins',
  bundled: 'Bundled',
};

export interface AgentNode {
  kind: 'agent';
  agent: AgentInfo;
  label: string;
  /** Shown beside the label: model and problem count. */
  description: string;
  tooltip: string;
  /** 'agent' | 'agent-broken' (does not load) | 'agent-problems' (loads with errors/warnings). */
  contextValue: string;
  /** The name of a higher-precedence agent that shadows this one, if any. */
  shadowedBy: Scope | null;
}

export interface GroupNode {
  kind: 'group';
  scope: Scope;
  label: string;
  description: string;
  children: AgentNode[];
}

export function problemText(errors: number, warnings: number): string {
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export function agentNode(a: AgentInfo, shadowedBy: Scope | null = null): AgentNode {
  const model = a.model ?? 'inherit';
  const problems = problemText(a.errors, a.warnings);
  const description = [model, problems || (a.loads ? '' : 'does not load')].filter(Boolean).join(' · ');
  const tools = a.tools === null ? 'all tools' : a.tools.length ? a.tools.join(', ') : 'no tools';
  const lines = [
    `${a.name} (${a.dialect}, ${a.scope})`,
    a.description ?? '(no description)',
    `model: ${model}`,
    `tools: ${tools}`,
    a.path,
  ];
  if (!a.loads) lines.push('Does not load: Claude Code would skip this file.');
  if (problems) lines.push(`Problems: ${problems}`);
  if (shadowedBy) lines.push(`Shadowed by an agent of the same name in ${SCOPE_LABELS[shadowedBy]}.`);
  return {
    kind: 'agent',
    agent: a,
    label: a.name,
    description: shadowedBy ? `${description} · shadowed` : description,
    tooltip: lines.join('\n'),
    contextValue: !a.loads ? 'agent-broken' : a.errors || a.warnings ? 'agent-problems' : 'agent',
    shadowedBy,
  };
}

export interface ProblemCount {
  errors: number;
  warnings: number;
}

/** Replaces the server's problem counts by live ones (diagnostics of open documents), by URI. */
export function withLiveCounts(
  agents: readonly AgentInfo[],
  live: ReadonlyMap<string, ProblemCount> | undefined,
): AgentInfo[] {
  if (!live) return [...agents];
  return agents.map((a) => {
    const c = live.get(a.uri);
    return c ? { ...a, errors: c.errors, warnings: c.warnings } : a;
  });
}

/**
 * Groups in precedence order (project, user, plugin, bundled); empty groups are left out.
 * `live` (optional) overrides problem counts with the diagnostics the editor holds.
 */
export function buildTree(
  allAgents: readonly AgentInfo[],
  live?: ReadonlyMap<string, ProblemCount>,
): GroupNode[] {
  const agents = withLiveCounts(allAgents, live);
  const firstScope = new Map<string, Scope>();
  for (const scope of SCOPES) {
    for (const a of agents) if (a.scope === scope && !firstScope.has(a.name)) firstScope.set(a.name, scope);
  }
  const groups: GroupNode[] = [];
  for (const scope of SCOPES) {
    const members = agents
      .filter((a) => a.scope === scope)
      .sort((x, y) => x.name.localeCompare(y.name) || x.path.localeCompare(y.path));
    if (!members.length) continue;
    const children = members.map((a) => {
      const owner = firstScope.get(a.name);
      return agentNode(a, owner !== undefined && owner !== scope ? owner : null);
    });
    const errors = members.reduce((n, a) => n + a.errors, 0);
    const warnings = members.reduce((n, a) => n + a.warnings, 0);
    const count = `${members.length} agent${members.length === 1 ? '' : 's'}`;
    const problems = problemText(errors, warnings);
    groups.push({
      kind: 'group',
      scope,
      label: SCOPE_LABELS[scope],
      description: problems ? `${count} · ${problems}` : count,
      children,
    });
  }
  return groups;
}

/** Agents a run can use, best first: loading agents by precedence, one per name. */
export function runnableAgents(agents: readonly AgentInfo[], allow: readonly string[] | null): AgentInfo[] {
  const seen = new Set<string>();
  const out: AgentInfo[] = [];
  for (const scope of SCOPES) {
    for (const a of [...agents].filter((x) => x.scope === scope).sort((x, y) => x.name.localeCompare(y.name))) {
      if (seen.has(a.name) || !a.loads) continue;
      if (allow && !allow.includes(a.name)) continue;
      seen.add(a.name);
      out.push(a);
    }
  }
  return out;
}

/** Total problems over the agents (for the status bar). */
export function totalProblems(agents: readonly AgentInfo[]): ProblemCount {
  return {
    errors: agents.reduce((n, a) => n + a.errors, 0),
    warnings: agents.reduce((n, a) => n + a.warnings, 0),
  };
}
