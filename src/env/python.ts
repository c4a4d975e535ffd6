import { join } from 'node:path';
import { formatCommand } from '../proc/command.js';
import {
  findOnPath,
  hasFileNamed,
  iniHasSection,
  iniValue,
  isDirectory,
  isFile,
  readText,
  readToml,
  type TomlTable,
  tomlTable,
} from './files.js';
import { probe } from './probe.js';
import { PYTHON_TOOLS, type PythonEnvironment, type PythonManager, type PythonTool } from './types.js';

/** What makes a folder a Python project, in the words of the warning for a folder that is none. */
export const PYTHON_MARKERS_TEXT =
  'pyproject.toml, setup.py, setup.cfg, requirements*.txt, Pipfile, tox.ini, a *.py file, or tests/test_*.py';

const PYTHON_MARKER_FILES = new Set(['pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile', 'tox.ini']);

/** A file at the root that declares Python: packaging or tool configuration, or a requirements list. */
function isPythonMarker(name: string): boolean {
  return PYTHON_MARKER_FILES.has(name) || /^requirements.*\.txt$/.test(name);
}

interface ManagerRule {
  name: PythonManager;
  markers: string[];
  /** A pyproject table that shows the manager runs the environment (not only the build). */
  toolTable?: string;
  /** The prefix a person types to run a program in the project environment. */
  run: string[];
  /** Creates the project environment with its dependencies. */
  sync: string[];
  /**
   * Prints the environment's interpreter (or, for hatch, its directory) without
   * creating it. uv has none: its environment is always the project's `.venv`.
   */
  locate?: string[];
  locatesDirectory?: boolean;
  /** How this manager adds development dependencies, when it has such a command. */
  addDev?: string[];
}

const MANAGERS: ManagerRule[] = [
  { name: 'uv', markers: ['uv.lock'], toolTable: 'uv', run: ['uv', 'run'], sync: ['uv', 'sync'], addDev: ['uv', 'add', '--dev'] },
  {
    name: 'poetry',
    markers: ['poetry.lock'],
    toolTable: 'poetry',
    run: ['poetry', 'run'],
    sync: ['poetry', 'install'],
    locate: ['poetry', 'env', 'info', '--executable'],
    addDev: ['poetry', 'add', '--group', 'dev'],
  },
  {
    name: 'pdm',
    markers: ['pdm.lock', '.pdm-python'],
    toolTable: 'pdm.dev-dependencies',
    run: ['pdm', 'run'],
    sync: ['pdm', 'install'],
    locate: ['pdm', 'info', '--python'],
    addDev: ['pdm', 'add', '-dG', 'dev'],
  },
  {
    name: 'hatch',
    markers: ['hatch.toml'],
    toolTable: 'hatch.envs',
    run: ['hatch', 'run'],
    sync: ['hatch', 'env', 'create'],
    locate: ['hatch', 'env', 'find'],
    locatesDirectory: true,
  },
  {
    name: 'pipenv',
    markers: ['Pipfile.lock', 'Pipfile'],
    run: ['pipenv', 'run'],
    sync: ['pipenv', 'install', '--dev'],
    locate: ['pipenv', '--py'],
    addDev: ['pipenv', 'install', '--dev'],
  },
];

const VENV_DIRECTORIES = ['.venv', 'venv', 'env'];

/** How each tool is found: an importable module, or (py-spy, a native binary) an executable next to the interpreter or on PATH. */
const TOOL_PROBES: Record<PythonTool, { module: string } | { executable: string }> = {
  pytest: { module: 'pytest' },
  'pytest-benchmark': { module: 'pytest_benchmark' },
  'py-spy': { executable: 'py-spy' },
  memray: { module: 'memray' },
  codeflash: { module: 'codeflash' },
};

/** One interpreter start answers everything: the real executable, its version, which tools it sees. */
const INTERPRETER_PROBE = `
import importlib.util, json, os, shutil, sys, sysconfig
probes = json.loads(sys.argv[1])
search = os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])
def found(p):
    if "module" in p:
        try:
            return importlib.util.find_spec(p["module"]) is not None
        except Exception:
            return False
    return shutil.which(p["executable"], path=search) is not None
print(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3],
                  "tools": {name: found(p) for name, p in probes.items()}}))
`;

interface Venv {
  /** Project-relative folder: `.venv`. */
  dir: string;
  /** Its interpreter, relative to that folder: `bin/python`. */
  relativeInterpreter: string;
}

interface InterpreterFacts {
  executable: string;
  version: string;
  tools: Record<PythonTool, boolean>;
}

interface Candidate {
  /** The program to start: a venv interpreter, a manager's interpreter, or `python3` from PATH. */
  program: string;
  origin: string;
}

interface Context {
  root: string;
  signal?: AbortSignal;
  warnings: string[];
}

export async function isPythonProject(root: string): Promise<boolean> {
  return hasFileNamed(root, isPythonMarker);
}

/**
 * A folder of plain Python files is a project too (many have no packaging, only
 * modules and tests/), but a weaker sign: it decides only when nothing else does,
 * so a Node or Go project with a helper script stays what it is.
 */
export async function hasPlainPythonFiles(root: string): Promise<boolean> {
  return (
    (await hasFileNamed(root, (name) => name.endsWith('.py'))) ||
    (await hasFileNamed(join(root, 'tests'), (name) => /^test_.*\.py$/.test(name)))
  );
}

export async function detectPython(root: string, warnings: string[], signal?: AbortSignal): Promise<PythonEnvironment> {
  const context: Context = { root, signal, warnings };
  const pyproject = await readToml(join(root, 'pyproject.toml'));
  if (pyproject.error) warnings.push(`pyproject.toml could not be parsed: ${pyproject.error}`);
  const setupCfg = await readText(join(root, 'setup.cfg'));

  const [venv, manager] = await Promise.all([findVenv(root), detectManager(root, pyproject.table)]);
  const managerPath = manager && (await findOnPath(manager.run[0]!));
  if (manager && !managerPath) {
    warnings.push(`the project uses ${manager.name}, but ${manager.run[0]} is not on PATH`);
  }
  const usableManager = managerPath ? manager : undefined;

  const runnerDisplay = usableManager
    ? formatCommand([...usableManager.run, 'python'])
    : venv
      ? `${venv.dir}/${venv.relativeInterpreter}`
      : 'python3';
  const candidates = await interpreterCandidates(context, venv, usableManager);
  const facts = await firstWorkingInterpreter(context, candidates);

  const codeflash = codeflashSettings(tomlTable(pyproject.table, 'tool.codeflash'));
  const testConfig = await findTestConfig(root, pyproject.table, setupCfg);
  const tools = facts?.tools ?? noTools();
  const python = facts?.executable;

  if (testConfig && python && !tools.pytest) warnings.push('pytest is not installed in the project interpreter');
  const benchmarksRoot = stringSetting(codeflash.benchmarks_root);
  if (benchmarksRoot && !(await isDirectory(join(root, benchmarksRoot)))) {
    warnings.push(`[tool.codeflash] benchmarks-root "${benchmarksRoot}" does not exist`);
  }

  return {
    package_name: packageName(pyproject.table, setupCfg),
    package_manager: manager?.name,
    venv: venv?.dir,
    runner_display: runnerDisplay,
    python,
    version: facts?.version,
    test_command: testConfig && python ? [python, '-m', 'pytest'] : undefined,
    test_config: testConfig,
    tools,
    install_missing: installMissing(tools, usableManager, python),
    benchmarks_root: benchmarksRoot,
    tests_root: stringSetting(codeflash.tests_root),
    module_root: stringSetting(codeflash.module_root),
    codeflash,
  };
}

async function findVenv(root: string): Promise<Venv | undefined> {
  for (const dir of VENV_DIRECTORIES) {
    // pyvenv.cfg tells a virtual environment from any other folder called env/.
    if (!(await isFile(join(root, dir, 'pyvenv.cfg')))) continue;
    for (const relativeInterpreter of ['bin/python', 'Scripts/python.exe']) {
      if (await isFile(join(root, dir, relativeInterpreter))) return { dir, relativeInterpreter };
    }
  }
  return undefined;
}

/** A lockfile names the manager most surely; a `[tool.…]` table decides only when no lockfile does. */
async function detectManager(root: string, pyproject: TomlTable | undefined): Promise<ManagerRule | undefined> {
  const hasMarker = await Promise.all(
    MANAGERS.map(async (rule) => (await Promise.all(rule.markers.map((name) => isFile(join(root, name))))).includes(true)),
  );
  return (
    MANAGERS.find((_, index) => hasMarker[index]) ??
    MANAGERS.find((rule) => rule.toolTable && tomlTable(pyproject, `tool.${rule.toolTable}`))
  );
}

async function interpreterCandidates(context: Context, venv: Venv | undefined, manager: ManagerRule | undefined): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  if (venv) candidates.push({ program: join(context.root, venv.dir, venv.relativeInterpreter), origin: `${venv.dir}/` });
  else if (manager) {
    const located = await locateManagerInterpreter(context, manager);
    if (located) candidates.push({ program: located, origin: manager.name });
    else context.warnings.push(`${manager.name} has no environment for this project yet: run \`${formatCommand(manager.sync)}\``);
  }
  for (const name of ['python3', 'python']) {
    const onPath = await findOnPath(name);
    if (onPath) {
      candidates.push({ program: onPath, origin: name });
      break;
    }
  }
  return candidates;
}

async function locateManagerInterpreter(context: Context, manager: ManagerRule): Promise<string | undefined> {
  if (!manager.locate) return undefined;
  const output = await probe(manager.locate, { cwd: context.root, signal: context.signal });
  const line = output?.split('\n').pop()?.trim();
  if (!line?.startsWith('/')) return undefined;
  const program = manager.locatesDirectory ? join(line, 'bin', 'python') : line;
  return (await isFile(program)) ? program : undefined;
}

async function firstWorkingInterpreter(context: Context, candidates: Candidate[]): Promise<InterpreterFacts | undefined> {
  for (const candidate of candidates) {
    const facts = await inspectInterpreter(context, candidate.program);
    if (!facts) {
      context.warnings.push(`${candidate.origin} interpreter ${candidate.program} did not start`);
      continue;
    }
    if (/\/shims\//.test(candidate.program)) {
      const manager = candidate.program.includes('/.pyenv/') ? 'pyenv' : 'a version manager';
      context.warnings.push(
        `${candidate.origin} resolves through a ${manager} shim (${candidate.program}); timing uses ${facts.executable}`,
      );
    }
    return facts;
  }
  context.warnings.push('no Python interpreter could be started: install Python or create .venv');
  return undefined;
}

async function inspectInterpreter(context: Context, program: string): Promise<InterpreterFacts | undefined> {
  const output = await probe([program, '-c', INTERPRETER_PROBE, JSON.stringify(TOOL_PROBES)], {
    cwd: context.root,
    signal: context.signal,
  });
  const last = output?.split('\n').pop();
  if (!last) return undefined;
  try {
    const facts = JSON.parse(last) as InterpreterFacts;
    // Kept unresolved on purpose: a venv's python is a symlink whose target would lose the venv.
    return { ...facts, executable: facts.executable || program };
  } catch {
    return undefined;
  }
}

async function findTestConfig(root: string, pyproject: TomlTable | undefined, setupCfg: string | undefined): Promise<string | undefined> {
  if (tomlTable(pyproject, 'tool.pytest.ini_options')) return 'pyproject.toml [tool.pytest.ini_options]';
  if (tomlTable(pyproject, 'tool.pytest')) return 'pyproject.toml [tool.pytest]';
  if (await isFile(join(root, 'pytest.ini'))) return 'pytest.ini';
  if (iniHasSection(setupCfg, 'tool:pytest')) return 'setup.cfg [tool:pytest]';
  if (iniHasSection(await readText(join(root, 'tox.ini')), 'pytest')) return 'tox.ini [pytest]';
  if (await isFile(join(root, 'conftest.py'))) return 'conftest.py';
  for (const dir of ['tests', 'test']) {
    if (await isDirectory(join(root, dir))) return `${dir}/ directory`;
  }
  return undefined;
}

function packageName(pyproject: TomlTable | undefined, setupCfg: string | undefined): string | undefined {
  return (
    stringSetting(tomlTable(pyproject, 'project')?.name) ??
    stringSetting(tomlTable(pyproject, 'tool.poetry')?.name) ??
    iniValue(setupCfg, 'metadata', 'name')
  );
}

/** `[tool.codeflash]` with keys in snake_case, whichever spelling the file used. */
function codeflashSettings(table: TomlTable | undefined): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table ?? {})) settings[key.replace(/-/g, '_')] = value;
  return settings;
}

function stringSetting(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function noTools(): Record<PythonTool, boolean> {
  return Object.fromEntries(PYTHON_TOOLS.map((tool) => [tool, false])) as Record<PythonTool, boolean>;
}

function installMissing(
  tools: Record<PythonTool, boolean>,
  manager: ManagerRule | undefined,
  python: string | undefined,
): string | undefined {
  const missing = PYTHON_TOOLS.filter((tool) => !tools[tool]);
  if (missing.length === 0) return undefined;
  const prefix = manager?.addDev ?? [python ?? 'python3', '-m', 'pip', 'install'];
  return formatCommand([...prefix, ...missing]);
}
