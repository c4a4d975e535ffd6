import type { Domain } from '../state/sessions.js';

export type Language = 'python' | 'node' | 'go';

/** What `detectEnvironment` found; plain JSON so it can go into a tool result as is. */
export interface ProjectEnvironment {
  /** Absolute, symlinks resolved. */
  root: string;
  /** The primary language (Python, then Go, then Node when several are present). */
  language: Language | 'unknown';
  languages: Language[];
  python?: PythonEnvironment;
  node?: NodeEnvironment;
  go?: GoEnvironment;
  git: GitState;
  machine: MachineInfo;
  warnings: string[];
  detection_ms: number;
}

export type PythonManager = 'uv' | 'poetry' | 'pdm' | 'hatch' | 'pipenv';

/** Tools looked up in the project interpreter, by their pip names. */
export const PYTHON_TOOLS = ['pytest', 'pytest-benchmark', 'py-spy', 'memray', 'codeflash'] as const;
export type PythonTool = (typeof PYTHON_TOOLS)[number];

export interface PythonEnvironment {
  package_name?: string;
  package_manager?: PythonManager;
  /** Project-relative virtual environment directory, when one exists (`.venv`). */
  venv?: string;
  /** How a person runs Python here: `uv run python`, `.venv/bin/python`, `python3`. */
  runner_display: string;
  /**
   * How the project's own people run Python, whatever this machine has installed:
   * `uv run python`, `poetry run python`, else `python3`. Reproducers in pull
   * requests use it; timed runs never do (they use the real interpreter).
   */
  project_runner: string;
  /** The real interpreter (`sys.executable`) used for every timed run; absent when none would start. */
  python?: string;
  version?: string;
  /** argv with the real interpreter: `[python, '-m', 'pytest']`. */
  test_command?: string[];
  /** Where the test configuration was found, e.g. `pyproject.toml [tool.pytest.ini_options]`. */
  test_config?: string;
  tools: Record<PythonTool, boolean>;
  /** One command that installs the missing tools the way this project manages packages. */
  install_missing?: string;
  benchmarks_root?: string;
  tests_root?: string;
  module_root?: string;
  /** Every `[tool.codeflash]` setting, keys in snake_case. */
  codeflash: Record<string, unknown>;
}

export type NodePackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface NodeEnvironment {
  package_name?: string;
  package_manager: NodePackageManager;
  /** What decided the package manager: `packageManager field`, a lockfile name, or `default`. */
  package_manager_source: string;
  /** The `test` script as written in package.json. */
  test_script?: string;
  test_command?: string[];
  test_framework?: string;
  typescript: boolean;
  node_version?: string;
}

export interface GoEnvironment {
  module?: string;
  /** The `go` line of go.mod. */
  go_directive?: string;
  /** The installed toolchain (`go version`). */
  go_version?: string;
  test_command: string[];
  benchmark_command?: string[];
  has_benchmarks: boolean;
  /** Test files holding `func Benchmark…`, project-relative, at most a handful. */
  benchmark_files: string[];
  /** True when the bounded search stopped before seeing the whole tree. */
  benchmark_search_truncated: boolean;
}

export interface GitState {
  is_repo: boolean;
  toplevel?: string;
  /** Current branch; absent on a detached HEAD. */
  branch?: string;
  detached: boolean;
  /** HEAD commit; absent in a repository without commits. */
  head?: string;
  clean: boolean;
  /** Tracked files with staged or unstaged changes (unmerged included). */
  modified: number;
  untracked: number;
  /** The branch work is compared against: origin's HEAD, else main, else master. */
  base_branch?: string;
  /** Domain named by a `perf/<marker>-…` branch, for resuming. */
  branch_domain?: Domain;
}

export interface MachineInfo {
  os: string;
  arch: string;
  cpu_model: string;
  cpu_cores: number;
  memory_gb: number;
  load_average_1m: number;
}
