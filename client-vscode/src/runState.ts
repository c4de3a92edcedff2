// State of agent runs, fed by agentls/runOutput notifications (no vscode import).
import { RunAgentResult, RunOutputParams, Usage } from './protocol';

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
  return { runId: p.runId, agent: p.agent, task: p.task, status: 'running', header: '', text: '', tools: [], error: null, usage: null };
}

/** A run this client asked for, under the id it chose (before the server says anything):
 * it becomes the current one. */
export function startRun(state: RunsState, runId: string, agent: string, task: string): RunView {
  const run = fresh({ runId, agent, task });
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
      break;
    case 'delta':
      run.text += n.text;
      break;
    case 'tool':
      run.tools.push(n.text);
      break;
    case 'end':
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
  return run;
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

/** Keeps at most `max` finished runs (oldest dropped) so memory stays bounded. */
export function prune(state: RunsState, max = 20): void {
  const finished = [...state.runs.values()].filter((r) => r.status !== 'running');
  for (const r of finished.slice(0, Math.max(0, finished.length - max))) {
    if (r.runId !== state.current) state.runs.delete(r.runId);
  }
}
