import { realpath } from 'node:fs/promises';
import { shortSha } from '../format.js';
import { detectGit } from './git.js';
import { detectGo, isGoProject } from './go.js';
import { detectMachine } from './machine.js';
import { detectNode, isNodeProject } from './node.js';
import { detectPython, hasPlainPythonFiles, isPythonProject, PYTHON_MARKERS_TEXT } from './python.js';
import type { GitState, Language, ProjectEnvironment } from './types.js';

export interface DetectOptions {
  signal?: AbortSignal;
}

/** Detection order is also the primary-language precedence. */
const LANGUAGES: Language[] = ['python', 'go', 'node'];

const IS_PROJECT: Record<Language, (root: string) => Promise<boolean>> = {
  python: isPythonProject,
  go: isGoProject,
  node: isNodeProject,
};

/**
 * Everything a session needs to know about a project before measuring it:
 * languages, how to run and test them, git state, the machine. Read-only, every
 * subprocess bounded by a timeout; a medium project takes a few hundred ms.
 */
export async function detectEnvironment(root: string, options: DetectOptions = {}): Promise<ProjectEnvironment> {
  const started = performance.now();
  const { signal } = options;
  signal?.throwIfAborted();
  const projectRoot = await realpath(root);
  const present = await Promise.all(LANGUAGES.map((language) => IS_PROJECT[language](projectRoot)));
  const declared = LANGUAGES.filter((_, index) => present[index]);
  const languages: Language[] = declared.length || !(await hasPlainPythonFiles(projectRoot)) ? declared : ['python'];

  // Each part collects its own warnings so their order does not depend on timing.
  const warningsOf = Object.fromEntries(LANGUAGES.map((language) => [language, [] as string[]])) as Record<Language, string[]>;
  const ifPresent = <T>(language: Language, detect: (warnings: string[]) => Promise<T>) =>
    languages.includes(language) ? detect(warningsOf[language]) : undefined;
  const [python, go, node, git, machine] = await Promise.all([
    ifPresent('python', (warnings) => detectPython(projectRoot, warnings, signal)),
    ifPresent('go', (warnings) => detectGo(projectRoot, warnings, signal)),
    ifPresent('node', (warnings) => detectNode(projectRoot, warnings, signal)),
    detectGit(projectRoot, signal),
    detectMachine(),
  ]);
  signal?.throwIfAborted();

  return {
    root: projectRoot,
    language: languages[0] ?? 'unknown',
    languages,
    python,
    node,
    go,
    git,
    machine,
    warnings: [...LANGUAGES.flatMap((language) => warningsOf[language]), ...gitWarnings(git), ...unknownWarning(languages)],
    detection_ms: Math.round(performance.now() - started),
  };
}

function gitWarnings(git: GitState): string[] {
  if (!git.is_repo) return ['not a git repository: base/head comparisons and reverts need git'];
  const warnings: string[] = [];
  if (!git.clean) {
    warnings.push(`working tree is dirty (${git.modified} modified, ${git.untracked} untracked): commit or stash before a baseline`);
  }
  if (git.head === undefined) warnings.push('the repository has no commits yet');
  else if (git.detached) warnings.push(`HEAD is detached at ${shortSha(git.head)}`);
  return warnings;
}

function unknownWarning(languages: Language[]): string[] {
  if (languages.length) return [];
  return [
    `no project language recognised at the root: Python needs ${PYTHON_MARKERS_TEXT}; Node needs package.json; Go needs go.mod (tools that run code also take language)`,
  ];
}
