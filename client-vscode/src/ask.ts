// What "Ask an agent about the selection…" offers (no vscode import).
import { AgentInfo, Task, TASKS } from './protocol';

/** Tools that let a run propose changes (the runtime turns them into proposals). */
const EDIT_TOOLS = ['Edit', 'Write', 'MultiEdit'];

export interface TaskChoice {
  label: string;
  detail: string;
  id: Task;
  /** The task needs the user's own words (an input box follows). */
  needsPrompt: boolean;
}

/**
 * The tasks `agent` can do, the free-text Ask last. An agent whose tools grant no Edit/Write
 * is not offered the tasks that answer with edits: the server refuses them (docs/protocol.md).
 * Unknown agent or tools (null: every tool): every task; the server has the last word.
 */
export function taskChoices(agent: Pick<AgentInfo, 'tools'> | undefined): TaskChoice[] {
  const tools = agent?.tools ?? null;
  const mayEdit = tools === null || tools.some((t) => EDIT_TOOLS.includes(t.split('(')[0].trim()));
  const choices = TASKS.filter((t) => mayEdit || !t.edits).map((t) => ({
    label: t.needsPrompt ? `${t.title}…` : t.title,
    detail: t.detail,
    id: t.id as Task,
    needsPrompt: t.needsPrompt,
  }));
  return [...choices.filter((c) => !c.needsPrompt), ...choices.filter((c) => c.needsPrompt)];
}

/** A prompt typed by the user, or why it cannot be sent (for an input box's validation). */
export function promptProblem(text: string): string | null {
  return text.trim() ? null : 'Type what you want to ask, or press Escape.';
}
