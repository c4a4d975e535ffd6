import { shortSha } from '../format.js';
import { formatCommand } from '../proc/command.js';
import type { GitState, GoEnvironment, MachineInfo, NodeEnvironment, ProjectEnvironment, PythonEnvironment } from './types.js';

const LANGUAGE_NAMES = { python: 'Python', node: 'JavaScript/TypeScript (Node)', go: 'Go' } as const;

/** `.codeflash/setup.md`: the environment in a page a person and an agent both read. */
export function renderSetupMarkdown(env: ProjectEnvironment): string {
  const sections = [
    ['# Setup', environmentSection(env)],
    env.python && ['## Python', pythonSection(env.python)],
    env.node && ['## JavaScript/TypeScript', nodeSection(env.node)],
    env.go && ['## Go', goSection(env.go)],
    ['## Git', gitSection(env.git)],
    env.warnings.length > 0 && ['## Warnings', env.warnings.map((warning) => `- ${warning}`).join('\n')],
  ].filter((section): section is string[] => Array.isArray(section));
  return sections.map(([title, body]) => `${title}\n\n${body}\n`).join('\n');
}

function environmentSection(env: ProjectEnvironment): string {
  const languages = env.languages.map((language) => LANGUAGE_NAMES[language]);
  const [primary, ...others] = languages;
  return bullets([
    `Project: \`${env.root}\``,
    `Language: ${primary ?? 'not detected'}${others.length > 0 ? ` (also ${others.join(', ')})` : ''}`,
    `Machine: ${machineLine(env.machine)}`,
  ]);
}

function machineLine(machine: MachineInfo): string {
  return `${machine.os}, ${machine.arch}, ${machine.cpu_model}, ${machine.cpu_cores} cores, ${machine.memory_gb} GB RAM (load ${machine.load_average_1m})`;
}

function pythonSection(python: PythonEnvironment): string {
  const lines = [
    python.package_name && `Package: \`${python.package_name}\``,
    `Package manager: ${python.package_manager ?? 'none detected'}${python.venv ? `; virtual environment \`${python.venv}/\`` : ''}`,
    `Runner (by hand): \`${python.runner_display}\``,
    python.python
      ? `Timing interpreter: \`${python.python}\` (Python ${python.version}). Timed runs start this real interpreter directly: a \`uv run\`-style wrapper or a version-manager shim adds start-up time and noise to every run.`
      : 'Timing interpreter: none could be started',
    python.test_command
      ? `Tests: \`${formatCommand(python.test_command)}\` (found: ${python.test_config})`
      : 'Tests: no pytest configuration found',
    python.benchmarks_root
      ? `Benchmarks root: \`${python.benchmarks_root}\``
      : 'Benchmarks root: not configured (add `benchmarks-root = "tests/benchmarks"` under `[tool.codeflash]` in pyproject.toml)',
    python.tests_root && `Tests root: \`${python.tests_root}\``,
    python.module_root && `Module root: \`${python.module_root}\``,
  ];
  const tools = Object.entries(python.tools)
    .map(([tool, available]) => `| ${tool} | ${available ? 'yes' : 'missing'} |`)
    .join('\n');
  const install = python.install_missing ? `\n\nInstall the missing ones: \`${python.install_missing}\`` : '';
  return `${bullets(lines)}\n\n| tool | available |\n|---|---|\n${tools}${install}`;
}

function nodeSection(node: NodeEnvironment): string {
  return bullets([
    node.package_name && `Package: \`${node.package_name}\``,
    `Package manager: ${node.package_manager} (from ${node.package_manager_source})`,
    `Node: ${node.node_version ?? 'not found on PATH'}; TypeScript: ${node.typescript ? 'yes' : 'no'}`,
    node.test_command
      ? `Tests: \`${formatCommand(node.test_command)}\` → \`${node.test_script}\`${node.test_framework ? ` (${node.test_framework})` : ''}`
      : 'Tests: no test script',
  ]);
}

function goSection(go: GoEnvironment): string {
  const benchmarks = go.benchmark_command
    ? `Benchmarks: \`${formatCommand(go.benchmark_command)}\` (in ${go.benchmark_files.map((file) => `\`${file}\``).join(', ')})`
    : `Benchmarks: no \`func Benchmark…\` found${go.benchmark_search_truncated ? ' (search stopped at its size limit)' : ''}`;
  return bullets([
    go.module && `Module: \`${go.module}\``,
    `Go: ${go.go_version ?? 'not found on PATH'}${go.go_directive ? ` (go.mod asks for ${go.go_directive})` : ''}`,
    `Tests: \`${formatCommand(go.test_command)}\``,
    benchmarks,
  ]);
}

function gitSection(git: GitState): string {
  if (!git.is_repo) return bullets(['Not a git repository']);
  const where = git.branch ? `\`${git.branch}\`` : 'detached HEAD';
  const domain = git.branch_domain ? ` (session domain: ${git.branch_domain})` : '';
  return bullets([
    `Branch: ${where}${domain} at ${git.head ? `\`${shortSha(git.head)}\`` : 'no commits yet'}`,
    `Base branch: ${git.base_branch ? `\`${git.base_branch}\`` : 'none found (no main or master)'}`,
    `Working tree: ${git.clean ? 'clean' : `dirty (${git.modified} modified, ${git.untracked} untracked)`}`,
  ]);
}

function bullets(lines: Array<string | undefined | false>): string {
  return lines
    .filter((line): line is string => typeof line === 'string' && line !== '')
    .map((line) => `- ${line}`)
    .join('\n');
}
