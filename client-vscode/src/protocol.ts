// agentls' own LSP messages (docs/protocol.md), typed. The server declares the same in
// server/agentls/lsp/protocol.py; tests/unit/test_protocol.py compares the two (methods, their
// kinds and types, every field with its type and optionality). Mirrors rust-analyzer's
// lsp_ext.ts. No vscode import: shared by the pure modules and their unit tests.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { SERVER_DATA } from './serverData';

export type Scope = 'project' | 'user' | 'plugin' | 'bundled';
export const SCOPES: readonly Scope[] = ['project', 'user', 'plugin', 'bundled'];

/** The tasks of a run, from the server's runner/tasks.json (through serverData.ts). */
export type TaskInfo = (typeof SERVER_DATA.tasks)[number];
export type Task = TaskInfo['id'];
export const TASKS: readonly TaskInfo[] = SERVER_DATA.tasks;

export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

export interface AgentsParams {}

export interface AgentInfo {
  name: string;
  dialect: string;
  kind: string;
  scope: Scope;
  uri: string;
  path: string;
  description: string | null;
  model: string | null;
  tools: string[] | null;
  loads: boolean;
  errors: number;
  warnings: number;
}

export interface AgentsResult {
  agents: AgentInfo[];
}

/**
 * A new run needs agent, uri and range, and task or prompt (a prompt alone is the `ask` task).
 * A follow-up names an earlier run in `conversation` and gives `prompt`: the agent, file and
 * lines are the earlier run's (docs/protocol.md).
 */
export interface RunAgentParams {
  agent?: string | null;
  task?: Task | null;
  uri?: string | null;
  range?: LspRange | null;
  version?: number | null;
  workDoneToken?: number | string | null;
  /** Chosen by the client, so that it knows the run's output before the server answers. */
  runId?: string | null;
  /** The user's own instruction: required by `ask` and by a follow-up. */
  prompt?: string | null;
  /** A run id: continue that run's conversation (from its latest run). */
  conversation?: string | null;
  maxTokens?: number | null;
  maxTurns?: number | null;
}

/** Tokens as the Messages API counts them; input_tokens are the uncached ones. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** One file change a run proposes, kept with the run (applyProposal applies it as shown). */
export interface ProposalInfo {
  path: string;
  uri: string;
  diff: string;
  created: boolean;
  runsCode?: string | null;
}

export type RunStatus = 'done' | 'incomplete' | 'cancelled' | 'failed';

export interface RunAgentResult {
  runId: string;
  status: RunStatus;
  text: string;
  applied: boolean | null;
  message: string | null;
  /** The id of the conversation's first run. */
  conversation?: string | null;
  parent?: string | null;
  agent?: string | null;
  task?: string | null;
  prompt?: string | null;
  uri?: string | null;
  range?: LspRange | null;
  usage?: Usage | null;
  costUsd?: number | null;
  /** costUsd as people read it (the server's one formatter): shown as is. */
  cost?: string | null;
  pricesAsOf?: string | null;
  wallSeconds?: number | null;
  turns?: number | null;
  stop?: string | null;
  tools?: string[];
  notes?: string[];
  proposals?: ProposalInfo[];
  /** URI of the result document (Markdown). */
  document?: string | null;
}

export interface RunOutputParams {
  runId: string;
  agent: string;
  task: string;
  kind: 'start' | 'delta' | 'tool' | 'note' | 'turn' | 'end' | 'error';
  text: string;
  usage?: Usage | null;
  conversation?: string | null;
  turn?: number | null;
  /** On the `end` of a cancelled run (no answer follows): what it took and cost. */
  wallSeconds?: number | null;
  costUsd?: number | null;
  cost?: string | null;
  pricesAsOf?: string | null;
}

export interface ApplyProposalParams {
  runId: string;
}

export interface ApplyProposalResult {
  applied: boolean;
  message: string | null;
}

export interface ConversationParams {
  conversation: string;
}

export interface ConversationResult {
  conversation: string;
  runs: RunAgentResult[];
}

export interface RunsParams {
  /** How many (default 50, at most 500). */
  limit?: number | null;
  /** A document: the runs of its workspace too (a run root of its own). */
  uri?: string | null;
}

/** One kept run as a list shows it (agentls/conversation gives the whole run). */
export interface RunInfo {
  runId: string;
  conversation: string;
  agent: string;
  task: string;
  path: string;
  uri: string;
  range: LspRange;
  /** First and last line, 1-based. */
  lines: number[];
  /** UTC, ISO 8601. */
  started: string;
  status: RunStatus;
  model: string;
  source: 'cli' | 'lsp';
  proposals: number;
  applied: boolean | null;
  usage: Usage;
  parent?: string | null;
  /** The user's own words, on one line, shortened. */
  prompt?: string | null;
  costUsd?: number | null;
  cost?: string | null;
  pricesAsOf?: string | null;
  wallSeconds?: number | null;
  turns?: number | null;
}

export interface RunsResult {
  /** Newest first. */
  runs: RunInfo[];
  /** Records that could not be read (left out). */
  skipped: number;
}

export interface SetApiKeyParams {
  apiKey: string | null;
}

export const agents = new RequestType<AgentsParams, AgentsResult, void>('agentls/agents');
export const runAgent = new RequestType<RunAgentParams, RunAgentResult, void>('agentls/runAgent');
export const runOutput = new NotificationType<RunOutputParams>('agentls/runOutput');
export const setApiKey = new NotificationType<SetApiKeyParams>('agentls/setApiKey');
export const applyProposal = new RequestType<ApplyProposalParams, ApplyProposalResult, void>(
  'agentls/applyProposal',
);
export const conversation = new RequestType<ConversationParams, ConversationResult, void>(
  'agentls/conversation',
);
export const runs = new RequestType<RunsParams, RunsResult, void>('agentls/runs');
/** The server's executeCommand id (code actions); the extension routes it through runAgent. */
export const COMMAND_RUN_AGENT = 'agentls.runAgent';
/** Its one argument. */
export type RunAgentCommandArgs = [RunAgentParams];

/** A run id the server accepts (letters, digits, - and _; it names the run's result file). */
export function newRunId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
