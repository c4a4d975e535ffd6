import { parse, quote } from 'shell-quote';

export interface ParsedCommand {
  argv: string[];
  /** True when the text holds shell syntax (pipes, &&, redirections, globs) and must run under /bin/sh. */
  needsShell: boolean;
}

/**
 * Turn a tool's `command` input (an argv array or one string) into argv.
 * Strings are split with shell word rules (quotes, escapes); text that needs a
 * real shell is reported so the caller can run it with `sh -c` knowingly.
 * Environment references are kept literally, never expanded here.
 */
export function parseCommand(command: string | string[]): ParsedCommand {
  if (Array.isArray(command)) {
    if (command.length === 0 || command[0] === '') throw new Error('command is empty');
    return { argv: [...command], needsShell: false };
  }
  const text = command.trim();
  if (!text) throw new Error('command is empty');
  const entries = parse(text, (name) => `$${name}`);
  const argv: string[] = [];
  let needsShell = false;
  for (const entry of entries) {
    if (typeof entry === 'string') argv.push(entry);
    else needsShell = true;
  }
  if (/\$\w|\$\{|`/.test(text)) needsShell = true;
  if (needsShell) return { argv: [text], needsShell: true };
  if (argv.length === 0) throw new Error('command is empty');
  return { argv, needsShell: false };
}

/** Render argv as one copy-pasteable shell line. */
export function formatCommand(argv: readonly string[]): string {
  return quote([...argv]);
}
