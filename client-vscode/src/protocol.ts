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

export interface RunAgentParams {
  agent: string;
  task: Task;
  uri: string;
  range: LspRange;
  version?: number | null;
  workDoneToken?: number | string | null;
  /** Chosen by the client, so that it knows the run's output before the server answers. */
  runId?: string | null;
}

export interface RunAgentResult {
  runId: string;
  status: 'done' | 'cancelled' | 'failed';
  text: string;
  applied: boolean | null;
  message: string | null;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

export interface RunOutputParams {
  runId: string;
  agent: string;
  task: string;
  kind: 'start' | 'delta' | 'tool' | 'end' | 'error';
  text: string;
  usage?: Usage | null;
}

export interface SetApiKeyParams {
  apiKey: string | null;
}

export const agents = new RequestType<AgentsParams, AgentsResult, void>('agentls/agents');
export const runAgent = new RequestType<RunAgentParams, RunAgentResult, void>('agentls/runAgent');
export const runOutput = new NotificationType<RunOutputParams>('agentls/runOutput');
export const setApiKey = new NotificationType<SetApiKeyParams>('agentls/setApiKey');
/** The server's executeCommand id (code actions); the extension routes it through runAgent. */
export const COMMAND_RUN_AGENT = 'agentls.runAgent';
/** Its one argument. */
export type RunAgentCommandArgs = [RunAgentParams];

/** A run id the server accepts (letters, digits, - and _; it names the run's result file). */
export function newRunId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
