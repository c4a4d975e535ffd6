import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { COMPARE_MODES, type CompareMode, type CompareRequest } from '../bench/compare.js';
import { UserError } from '../errors.js';
import { sessionEnvironment } from '../session/environment.js';
import { Project } from '../state/project.js';
import { latestSession } from '../state/sessions.js';
import { isGitRepo } from '../workspace/git.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options compare and bisect share: what to measure, how, and where the results go. */
const MEASURE_OPTIONS = {
  benchmark: { type: 'string' },
  mode: { type: 'string' },
  'max-time': { type: 'string' },
  timeout: { type: 'string' },
  runs: { type: 'string' },
  inject: { type: 'string', multiple: true },
  setup: { type: 'string' },
  root: { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export interface CommandLine {
  /** The words before `--`: the refs. */
  refs: string[];
  /** The words after `--`: the command to measure. */
  command?: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/** Parse `<ref> <ref> [options] [-- command...]`; an unknown option or a missing value is a UserError. */
export function parseCommandLine(argv: string[], extra: Options): CommandLine {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...MEASURE_OPTIONS, ...extra }, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const terminator = parsed.tokens!.find((token) => token.kind === 'option-terminator')?.index;
  const before = parsed.tokens!.filter((token) => token.kind === 'positional' && (terminator === undefined || token.index < terminator));
  const refs = before.map((token) => (token as { value: string }).value);
  const command = terminator === undefined ? undefined : argv.slice(terminator + 1);
  if (command?.length === 0) throw new UserError('nothing after --: give the command to measure, e.g. -- python bench.py');
  return { refs, command, values: parsed.values };
}

/** A positive number from an option's text, or undefined when the option is absent. */
export function numberOption(values: CommandLine['values'], name: string, { integer = false, min = 0 } = {}): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value)) || text.trim() === '') {
    throw new UserError(`--${name} takes a${integer ? 'n integer' : ' number'} of at least ${min}, not ${JSON.stringify(text)}`);
  }
  return value;
}

export interface PreparedProject {
  project: Project;
  /** The active session, if one is open: comparisons are filed under it. */
  sessionId: string | null;
  request: Omit<CompareRequest, 'base' | 'head'>;
}

/**
 * The project the command measures (--root, else the working directory), its
 * store opened, and the request every comparison of the command shares,
 * resolved as benchmark_compare resolves it (the session's environment first).
 */
export async function prepareProject(line: CommandLine, defaults: { mode: CompareMode; maxTimeS: number }): Promise<PreparedProject> {
  const { values } = line;
  const root = resolve((values.root as string | undefined) ?? process.cwd());
  if (!existsSync(root)) throw new UserError(`--root ${root} does not exist`);
  if (!(await isGitRepo(root))) throw new UserError(`${root} is not a git repository: compare and bisect check out commits`);
  const mode = (values.mode as string | undefined) ?? defaults.mode;
  if (!(COMPARE_MODES as readonly string[]).includes(mode)) throw new UserError(`--mode takes ${COMPARE_MODES.join(', ')}, not ${mode}`);
  if (line.command && values.benchmark !== undefined) throw new UserError('pass either --benchmark or -- command, not both');
  const maxTimeS = numberOption(values, 'max-time', { min: 1 }) ?? defaults.maxTimeS;
  const timeoutS = numberOption(values, 'timeout', { min: 1 }) ?? 300;
  const runs = numberOption(values, 'runs', { integer: true, min: 1 });
  const project = Project.open(root, { stateHome: (values['state-dir'] as string | undefined) ?? process.env.CODEFLASH_STATE_DIR });
  try {
    const session = latestSession(project.db, 'active');
    const env = await sessionEnvironment(session, project.paths.root);
    if (env.language === 'unknown')
      throw new UserError(`${root} is not a Python, Node or Go project (no pyproject.toml, package.json or go.mod)`);
    return {
      project,
      sessionId: session?.id ?? null,
      request: {
        root: project.paths.root,
        command: line.command,
        benchmark: values.benchmark as string | undefined,
        language: env.language,
        mode: mode as CompareMode,
        python: env.python?.python,
        runs,
        maxTimeMs: maxTimeS * 1000,
        timeoutMs: timeoutS * 1000,
        inject: values.inject as string[] | undefined,
        setup: values.setup as string | undefined,
        worktreesDir: project.paths.worktreesDir,
      },
    };
  } catch (error) {
    project.close();
    throw error;
  }
}

/** --json and --markdown, each when asked for. */
export async function writeOutputs(values: CommandLine['values'], json: unknown, markdown: string): Promise<void> {
  if (typeof values.json === 'string') await writeFile(resolve(values.json), `${JSON.stringify(json, null, 2)}\n`);
  if (typeof values.markdown === 'string') await writeFile(resolve(values.markdown), `${markdown}\n`);
}
