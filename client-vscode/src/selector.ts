// Which documents go to the server (no vscode import).
// Agent files of every dialect, by the same path patterns as the server (formats.md §12), plus
// every file on disk: agent code actions ("ask an agent about the selection") work in any language.

export const AGENT_FILE_PATTERNS: readonly string[] = [
  '**/.claude/agents/**/*.md',
  '**/.claude/skills/**/SKILL.md',
  '**/.claude/commands/**/*.md',
  '**/.claude/rules/**/*.md',
  '**/*.agent.md',
  '**/.github/agents/**/*.md',
  '**/*.chatmode.md',
  '**/*.prompt.md',
  '**/*.instructions.md',
  '**/.opencode/agent/**/*.md',
  '**/.opencode/agents/**/*.md',
  '**/agents/**/*.md',
];

export interface DocumentFilter {
  scheme?: string;
  language?: string;
  pattern?: string;
}

export function documentSelector(): DocumentFilter[] {
  return [
    ...AGENT_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
    { scheme: 'file' },
  ];
}

/** One glob for a FileSystemWatcher that sees every agent file. */
export function agentFilesGlob(): string {
  return `{${AGENT_FILE_PATTERNS.join(',')}}`;
}
