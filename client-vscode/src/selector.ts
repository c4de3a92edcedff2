// Which documents go to the server (no vscode import).
// Agent files of every dialect, by the patterns the server derives from its dialect registry
// (serverData.ts, generated), plus every file on disk: agent code actions ("ask an agent about
// the selection") work in any language.
import { SERVER_DATA } from './serverData';

export const AGENT_FILE_PATTERNS: readonly string[] = SERVER_DATA.agentFilePatterns;

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
