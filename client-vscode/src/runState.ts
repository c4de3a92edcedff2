// State of agent runs, fed by agentls/runOutput notifications (no vscode import).
import { ProposalInfo, RunAgentResult, RunInfo, RunOutputParams, Usage } from './protocol';

export type RunStatus = 'running' | 'done' | 'incomplete' | 'cancelled' | 'failed';

export interface RunView {
  runId: string;
  agent: string;
  task: string;
  status: RunStatus;
  /** The server's one-line summary from the "start" notification (agent, task, file, model). */
  header: string;
  /** The answer so far (the "delta" texts). */
  text: string;
  /** Tool calls the agent made, in order (kind "tool"). */
  tools: string[];
  error: string | null;
  usage: Usage | null;
  /** The user's own words (ask, follow-up); null for a task run. */
  prompt: string | null;
  /** The id of the conversation's first run (a run of its own conversation when null). */
  conversation: string | null;
  /** The runtime's notes (context given, continuations, history left out). */
  notes: string[];
  /** The changes the run proposed, as the diffs the server keeps and sends. */
  proposals: ProposalInfo[];
  /** Whether the proposals were applied (null: none, or not answered yet). */
  applied: boolean | null;
  /** Why the last apply was not done (a file changed, the user declined). */
  applyMessage: string | null;
  costUsd: number | null;
  /** The cost as the server writes it (its one formatter, docs/protocol.md "Cost"). */
  cost: string | null;
  pricesAsOf: string | null;
  wallSeconds: number | null;
}

export interface RunsState {
  runs: Map<string, RunView>;
  /** The run shown in the Results view (the most recently started one). */
  current: string | null;
}

export function emptyRuns(): RunsState {
  return { runs: new Map(), current: null };
}

function fresh(p: { runId: string; agent: string; task: string }): RunView {
  return {
    runId: p.runId,
    agent: p.agent,
    task: p.task,
    status: 'running',
    header: '',
    text: '',
    tools: [],
    error: null,
    usage: null,
    prompt: null,
    conversation: null,
    notes: [],
    proposals: [],
    applied: null,
    applyMessage: null,
    costUsd: null,
    cost: null,
    pricesAsOf: null,
    wallSeconds: null,
  };
}

/** A run this client asked for, under the id it chose (before the server says anything):
 * it becomes the current one. A follow-up names its conversation at once, so that it shows
 * under the earlier turns before the server's "start". */
export function startRun(
  state: RunsState,
  runId: string,
  agent: string,
  task: string,
  prompt: string | null = null,
  conversation: string | null = null,
): RunView {
  const run = fresh({ runId, agent, task });
  run.prompt = prompt;
  run.conversation = conversation;
  state.runs.set(runId, run);
  state.current = runId;
  return run;
}

/** Applies one runOutput notification (matched by its run id). Mutates `state`; returns the
 * run touched. */
export function applyOutput(state: RunsState, n: RunOutputParams): RunView {
  let run = state.runs.get(n.runId);
  if (!run) {
    run = fresh(n);
    state.runs.set(n.runId, run);
    state.current = n.runId;
  } else if (n.kind === 'start') {
    state.current = n.runId;
  }
  switch (n.kind) {
    case 'start':
      run.header = n.text;
      if (n.conversation) run.conversation = n.conversation;
      break;
    case 'note':
      run.notes.push(n.text);
      break;
    case 'delta':
      run.text += n.text;
      break;
    case 'tool':
      run.tools.push(n.text);
      break;
    case 'end':
      if (n.text === 'cancelled') {
        // no answer follows a cancelled request: its end says what it took and cost
        run.status = 'cancelled';
        if (n.wallSeconds !== undefined && n.wallSeconds !== null) run.wallSeconds = n.wallSeconds;
        if (n.costUsd !== undefined) run.costUsd = n.costUsd ?? null;
        if (n.cost !== undefined) run.cost = n.cost ?? null;
        if (n.pricesAsOf !== undefined) run.pricesAsOf = n.pricesAsOf ?? null;
        break;
      }
      if (run.status === 'running') run.status = 'done';
      if (n.text && !run.text) run.text = n.text;
      break;
    case 'error':
      // an error reported after the user cancelled is the cancellation itself
      if (run.status !== 'cancelled') {
        run.status = 'failed';
        run.error = n.text;
      }
      break;
  }
  if (n.usage) run.usage = n.usage;
  return run;
}

/** Applies the final agentls/runAgent response (it is authoritative for the status). */
export function applyResult(state: RunsState, r: RunAgentResult, agent: string, task: string): RunView {
  let run = state.runs.get(r.runId);
  if (!run) {
    run = fresh({ runId: r.runId, agent, task });
    state.runs.set(r.runId, run);
    state.current = r.runId;
  }
  run.status = r.status;
  if (r.text && r.text.length >= run.text.length) run.text = r.text;
  if ((r.status === 'failed' || r.status === 'incomplete') && r.message) run.error = r.message;
  if (r.conversation) run.conversation = r.conversation;
  if (r.prompt !== undefined && r.prompt !== null) run.prompt = r.prompt;
  if (r.task) run.task = r.task;
  if (r.agent) run.agent = r.agent;
  if (r.usage) run.usage = r.usage;
  if (r.tools && r.tools.length >= run.tools.length) run.tools = [...r.tools];
  if (r.notes && r.notes.length >= run.notes.length) run.notes = [...r.notes];
  if (r.proposals) run.proposals = r.proposals;
  if (r.proposals?.length) {
    run.applied = r.applied;
    // why a proposal was not applied (declined, changed file) is said by the message
    if (r.applied === false && r.status === 'done' && r.message) run.applyMessage = r.message;
  }
  run.costUsd = r.costUsd ?? null;
  run.cost = r.cost ?? null;
  run.pricesAsOf = r.pricesAsOf ?? null;
  run.wallSeconds = r.wallSeconds ?? null;
  return run;
}

/** A kept run as agentls/conversation gives it (shown again after a reload). */
export function restoreRun(state: RunsState, r: RunAgentResult): RunView {
  const run = fresh({ runId: r.runId, agent: r.agent ?? '', task: r.task ?? 'ask' });
  state.runs.set(r.runId, run);
  applyResult(state, r, run.agent, run.task);
  return run;
}

/** The conversation id of a run: its own id when it starts one. */
export function conversationId(run: RunView): string {
  return run.conversation ?? run.runId;
}

/** The runs of the conversation `runId` belongs to, oldest first (the order they started). */
export function conversationOf(state: RunsState, runId: string): RunView[] {
  const run = state.runs.get(runId);
  if (!run) return [];
  const id = conversationId(run);
  return [...state.runs.values()].filter((r) => conversationId(r) === id);
}

/** The apply of a kept proposal came back: applied, or why not. */
export function markApplied(state: RunsState, runId: string, applied: boolean, message: string | null): RunView | undefined {
  const run = state.runs.get(runId);
  if (!run) return undefined;
  if (applied) {
    run.applied = true;
    run.applyMessage = null;
  } else {
    run.applyMessage = message ?? 'not applied';
  }
  return run;
}

/** Whether a run's proposals can still be applied from the Results view. */
export function canApply(run: RunView): boolean {
  return run.proposals.length > 0 && run.applied !== true && (run.status === 'done' || run.status === 'incomplete');
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** Wall time as the server's pricing.format_seconds writes it: `12.3 s`, under a second in
 *  ms (a 40 ms run read `0.0 s`, as if no time had been measured). */
export function wallTime(seconds: number): string {
  return seconds >= 1 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds * 1000)} ms`;
}

/**
 * The end-of-run line: tokens (input uncached, output, cache read, cache write), wall time
 * and the estimated cost as the server wrote it, with the date of the price table ("cost
 * unknown" for a model whose prices are unknown).
 */
export function usageLine(run: Pick<RunView, 'usage' | 'wallSeconds' | 'cost' | 'pricesAsOf'>): string {
  const parts: string[] = [];
  const u = run.usage;
  if (u) {
    let tokens = `${thousands(u.input_tokens)} in, ${thousands(u.output_tokens)} out`;
    tokens += `, ${thousands(u.cache_read_input_tokens ?? 0)} cache read`;
    tokens += `, ${thousands(u.cache_creation_input_tokens ?? 0)} cache write`;
    parts.push(`Tokens: ${tokens}`);
  }
  if (run.wallSeconds !== null && run.wallSeconds !== undefined) parts.push(wallTime(run.wallSeconds));
  if (run.cost) {
    parts.push(`~${run.cost}` + (run.pricesAsOf ? ` (prices of ${run.pricesAsOf})` : ''));
  } else if (u && run.wallSeconds !== null && run.wallSeconds !== undefined) {
    parts.push('cost unknown for this model');
  }
  return parts.join(' · ');
}

/** One kept run in the "Show a past run…" pick (agentls/runs): what, where, when, how it
 * ended and what it cost. `started` is the server's UTC time; shown to the minute. */
export function pastRunItem(r: RunInfo): { label: string; description: string; detail: string } {
  const [first, last] = r.lines;
  const where = `${r.path}:${first === last ? first : `${first}-${last}`}`;
  const when = r.started.slice(0, 16).replace('T', ' ');
  const task = r.parent ? 'follow-up' : r.task;
  let status: string = r.status === 'incomplete' ? 'cut at a limit' : r.status;
  if (r.proposals) status += `, ${r.proposals} change(s)` + (r.applied ? ' applied' : '');
  const cost = r.cost ? `~${r.cost}` : 'cost unknown';
  const tokens = r.usage.input_tokens + (r.usage.cache_read_input_tokens ?? 0) + (r.usage.cache_creation_input_tokens ?? 0);
  return {
    label: `${r.agent}: ${task}` + (r.prompt ? ` — ${r.prompt}` : ''),
    description: `${where} · ${when} UTC${r.source === 'cli' ? ' · CLI' : ''}`,
    detail: `${status} · ${thousands(tokens)} in, ${thousands(r.usage.output_tokens)} out · ${cost}`,
  };
}

/** Marks a run as cancelled by the user before the server answered. */
export function markCancelled(state: RunsState, runId: string): void {
  const run = state.runs.get(runId);
  if (run && run.status === 'running') run.status = 'cancelled';
}

export function isRunning(state: RunsState): boolean {
  for (const r of state.runs.values()) if (r.status === 'running') return true;
  return false;
}

export function statusLabel(run: RunView): string {
  switch (run.status) {
    case 'running':
      return 'running…';
    case 'done':
      return 'done';
    case 'incomplete':
      return 'incomplete (stopped at a limit)';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return 'failed';
  }
}

/** Keeps at most `max` finished runs (oldest dropped) so memory stays bounded; the runs of
 * the conversation shown stay. */
export function prune(state: RunsState, max = 20): void {
  const cur = state.current ? state.runs.get(state.current) : undefined;
  const shown = cur ? conversationId(cur) : null;
  const finished = [...state.runs.values()].filter((r) => r.status !== 'running');
  let excess = finished.length - max;
  for (const r of finished) {
    if (excess <= 0) break;
    if (conversationId(r) === shown) continue;
    state.runs.delete(r.runId);
    excess--;
  }
}
