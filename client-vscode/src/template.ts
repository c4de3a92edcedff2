// The "New agent" template (no vscode import). The text passes agentls' own checks:
// a lowercase-hyphen name equal to the file stem, a description that says when to delegate
// (no ": " in it, so it needs no quoting), known tool names and a model alias.

export const AGENT_NAME_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Returns an error message for a bad agent name, or null when the name is fine. */
export function validateAgentName(name: string): string | null {
  if (!name) return 'Enter a name, e.g. code-reviewer.';
  if (name.length > 64) return 'Keep the name at 64 characters or fewer.';
  if (!AGENT_NAME_RE.test(name)) return 'Use lowercase letters, digits and single hyphens, e.g. code-reviewer.';
  return null;
}

export function agentFileRelativePath(name: string): string {
  return `.claude/agents/${name}.md`;
}

export function agentTemplate(name: string): string {
  const words = name.replace(/-/g, ' ');
  return [
    '---',
    `name: ${name}`,
    `description: Use this agent when the user asks for ${words} work. Describe here, in one or two sentences, when Claude should delegate to it.`,
    'tools: Read, Grep, Glob',
    'model: sonnet',
    '---',
    '',
    `You are ${name}, a focused sub-agent.`,
    '',
    'When invoked:',
    '1. Read the files and code you are given, and only what you need besides.',
    '2. Do the task you were asked for, and nothing else.',
    '3. Answer with a short summary first, then the details, citing files and lines.',
    '',
  ].join('\n');
}
