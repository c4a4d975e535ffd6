#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BISECT_USAGE, COMPARE_USAGE } from './gate/usage.js';
import { VERSION } from './package.js';

const USAGE = `codeflash-mcp ${VERSION}

Usage:
  codeflash-mcp serve [--root DIR] [--state-dir DIR] [--tools SETS] [--detach-jobs] [--http PORT [--token TOKEN]]
      Run the MCP server on stdio (default) or Streamable HTTP on 127.0.0.1:PORT/mcp.
      --state-dir (or CODEFLASH_STATE_DIR) keeps every project's state in DIR/<org>/<project>.
      --tools core,measure offers only those toolsets (core is always on; default all).
      --detach-jobs runs long jobs in a runner process that outlives the server (for clients that
      start a server per call, such as the Inspector CLI).
  codeflash-mcp status [--root DIR] [--state-dir DIR]
      Print the session status table of a project.
  codeflash-mcp demo [--language python|node|go] [--keep]
      Optimize a bundled example project end to end through a real MCP client.
${COMPARE_USAGE}${BISECT_USAGE}  codeflash-mcp measure [--json] [--until-stdin-closes] REQUEST.json
      Run one compare request on this machine (what vm_bench runs on a host).
  codeflash-mcp --version | --help

Environment: CODEFLASH_ROOT, CODEFLASH_STATE_DIR, CODEFLASH_TOOLS, CODEFLASH_DETACH_JOBS=1,
CODEFLASH_MCP_TOKEN and CODEFLASH_LOG_LEVEL (debug|info|warning|error) stand for the flags.
`;

/** run-job is internal: the runner a server started with --detach-jobs hands a job to. */
const COMMANDS = ['serve', 'status', 'demo', 'run-job', 'measure'];

function fail(message: string): never {
  process.stderr.write(`codeflash-mcp: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A flag, else its environment variable. */
function setting(flag: string | undefined, env: string): string | undefined {
  return flag ?? (process.env[env] || undefined);
}

async function main(): Promise<void> {
  const first = process.argv[2];
  // compare and bisect parse their own options (a command to measure follows --).
  if (first === 'compare' || first === 'bisect') return runGate(first, process.argv.slice(3));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      'state-dir': { type: 'string' },
      http: { type: 'string' },
      token: { type: 'string' },
      tools: { type: 'string' },
      'detach-jobs': { type: 'boolean' },
      keep: { type: 'boolean' },
      language: { type: 'string' },
      json: { type: 'boolean' },
      'until-stdin-closes': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.version) return void process.stdout.write(`${VERSION}\n`);
  if (values.help) return void process.stdout.write(USAGE);
  const command = positionals[0] ?? 'serve';
  if (!COMMANDS.includes(command)) fail(`unknown command ${command}`);
  if (command === 'measure') {
    // Runs on a benchmark host from the uploaded bundle alone: no store, so no SQLite binding to check.
    const { measureFromFile } = await import('./vm/host-measure.js');
    if (!positionals[1]) fail('measure takes the path of a request file');
    process.exitCode = await measureFromFile(positionals[1], {
      json: values.json ?? false,
      untilStdinCloses: values['until-stdin-closes'] ?? false,
      write: (text) => process.stdout.write(text),
    });
    return;
  }
  const rootSetting = setting(values.root, 'CODEFLASH_ROOT');
  const root = rootSetting ? resolve(rootSetting) : undefined;
  if (root && !existsSync(root)) fail(`--root ${root} does not exist`);
  const stateDir = setting(values['state-dir'], 'CODEFLASH_STATE_DIR');
  const token = setting(values.token, 'CODEFLASH_MCP_TOKEN');

  // Every command needs the SQLite store: a binding that does not load is said once, first, with its fix.
  const { sqliteBindingProblem } = await import('./state/binding.js');
  const bindingProblem = await sqliteBindingProblem();
  if (bindingProblem) process.stderr.write(`${bindingProblem}\n`);

  switch (command) {
    case 'serve': {
      // Each mode loads only its own transport: start-up time is what a host waits for.
      const { selectTools } = await import('./tools/index.js');
      let tools: ReturnType<typeof selectTools>;
      try {
        tools = selectTools(setting(values.tools, 'CODEFLASH_TOOLS'));
      } catch (error) {
        fail((error as Error).message);
      }
      const detach = values['detach-jobs'] || process.env.CODEFLASH_DETACH_JOBS === '1';
      const options = {
        root,
        stateDir,
        tools,
        // The server still answers initialize, with this error, so the host shows the fix instead of "connected".
        startupError: bindingProblem,
        detachJobs: detach ? { argv: [process.execPath, process.argv[1]!] } : undefined,
      };
      if (values.http === undefined) {
        const { serveStdio } = await import('./server/stdio.js');
        return serveStdio(options);
      }
      const port = Number(values.http);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--http takes a port number, not ${values.http}`);
      const { serveHttp } = await import('./server/http.js');
      await serveHttp({ ...options, port, token });
      return;
    }
    case 'run-job': {
      const jobId = positionals[1];
      if (!jobId || !root || bindingProblem) return process.exit(2);
      const [{ TOOLS }, { runDetachedJob }] = await Promise.all([import('./tools/index.js'), import('./server/job-runner.js')]);
      // Exit even if a library left a handle open: the job's end is recorded, and nobody waits on this process.
      return process.exit(await runDetachedJob({ jobId, root, stateDir, tools: TOOLS }));
    }
    case 'status': {
      if (bindingProblem) process.exit(1);
      const { printStatus } = await import('./status.js');
      process.exitCode = printStatus(root ?? process.cwd(), stateDir);
      return;
    }
    case 'demo': {
      if (bindingProblem) process.exit(1);
      const { DEMO_LANGUAGES, runDemo } = await import('./demo.js');
      const language = DEMO_LANGUAGES.find((name) => name === (values.language ?? 'python'));
      if (!language) fail(`--language takes ${DEMO_LANGUAGES.join(', ')}, not ${values.language}`);
      process.exitCode = await runDemo({ keep: values.keep ?? false, language });
      return;
    }
  }
}

async function runGate(name: 'compare' | 'bisect', argv: string[]): Promise<void> {
  const { sqliteBindingProblem } = await import('./state/binding.js');
  const bindingProblem = await sqliteBindingProblem();
  if (bindingProblem) {
    process.stderr.write(`${bindingProblem}\n`);
    process.exit(2);
  }
  const { runGateCommand } = await import('./gate/run.js');
  process.exitCode = await runGateCommand(name, argv, { out: process.stdout, err: process.stderr });
}

main().catch((error: unknown) => {
  process.stderr.write(`codeflash-mcp: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
