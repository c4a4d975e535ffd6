// The gate commands' usage, apart from their code: the CLI's help shows it without loading them.

export const COMPARE_USAGE = `  codeflash-mcp compare <base> <head> [--benchmark PATH | -- command...] [--mode wall|cpu|instructions|memory]
      [--fail-on-regression PCT] [--fail-on-inconclusive] [--json FILE] [--markdown FILE] [--max-time S]
      [--runs N] [--timeout S] [--inject PATH]... [--setup CMD] [--root DIR] [--state-dir DIR]
      Measure base against head as benchmark_compare does and print its table. Exit 0 when no benchmark
      is slower past its threshold (default 5 %, or [tool.codeflash] / .codeflash/thresholds.toml),
      1 when one is, 2 on a usage or setup error.
`;

export const BISECT_USAGE = `  codeflash-mcp bisect <good> <bad> [--benchmark PATH | -- command...] [--mode instructions|wall|cpu|memory]
      [--json FILE] [--markdown FILE] [--max-time S] [--runs N] [--timeout S] [--setup CMD] [--root DIR]
      Find the first commit between good (fast) and bad (slow) where the benchmark got slower, comparing
      commits as compare does (instructions by default). Exit 0 when the bisect ran, 2 on an error.
`;
