// Types of agentls' custom LSP messages (docs/protocol.md). No vscode import: shared by the
// pure modules and their unit tests.

export type Scope = 'project' | 'user' | 'plugin' | 'bundled';
export const SCOPES: readonly Scope[] = ['project', 'user', 'plugin', 'bundled'];

export interface AgentInfo {
  name: string;
  dialect: string;
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

export type Task = 'review' | 'explain' | 'improve' | 'tests';

export interface TaskInfo {
  id: Task;
  label: string;
  detail: string;
}

export const TASKS: readonly TaskInfo[] = [
  { id: 'review', label: 'Review', detail: 'Find bugs, risks and unclear code in the selection' },
  { id: 'explain', label: 'Explain', detail: 'Explain what the selected code does' },
  { id: 'improve', label: 'Improve / fix', detail: 'Propose a better version (edits go through the refactor preview)' },
  { id: 'tests', label: 'Write tests', detail: 'Write tests for the selected code' },
];

export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

export interface RunAgentParams {
  agent: string;
  task: Task;
  uri: string;
  range: LspRange;
  version: number | null;
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
  usage?: Usage;
}

export interface SetApiKeyParams {
  apiKey: string | null;
}

export const METHOD_AGENTS = 'agentls/agents';
export const METHOD_RUN_AGENT = 'agentls/runAgent';
export const METHOD_RUN_OUTPUT = 'agentls/runOutput';
export const METHOD_SET_API_KEY = 'agentls/setApiKey';
/** The server's executeCommand id (code actions); the extension routes it through METHOD_RUN_AGENT. */
export const COMMAND_RUN_AGENT = 'agentls.runAgent';
