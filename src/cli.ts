#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { VERSION } from './package.js';

const USAGE = `codeflash-mcp ${VERSION}

Usage:
  codeflash-mcp serve [--root DIR] [--state-dir DIR] [--http PORT [--token TOKEN]]
      Run the MCP server on stdio (default) or Streamable HTTP on 127.0.0.1:PORT/mcp.
  codeflash-mcp status [--root DIR] [--state-dir DIR]
      Print the session status table of a project.
  codeflash-mcp demo [--language python|node|go] [--keep]
      Optimize a bundled example project end to end through a real MCP client.
  codeflash-mcp measure [--json] [--until-stdin-closes] REQUEST.json
      Run one compare request on this machine (what vm_bench runs on a host).
`;

function fail(message: string): never {
  process.stderr.write(`codeflash-mcp: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      'state-dir': { type: 'string' },
      http: { type: 'string' },
      token: { type: 'string' },
      keep: { type: 'boolean' },
      language: { type: 'string' },
      json: { type: 'boolean' },
      'until-stdin-closes': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.version) return void process.stderr.write(`${VERSION}\n`);
  const command = positionals[0] ?? 'serve';
  if (values.help) return void process.stderr.write(USAGE);
  const root = values.root ? resolve(values.root) : undefined;
  if (root && !existsSync(root)) fail(`--root ${root} does not exist`);
  const token = values.token ?? process.env.CODEFLASH_MCP_TOKEN;
  switch (command) {
    case 'serve': {
      // Each mode loads only its own transport: start-up time is what a host waits for.
      const { TOOLS: tools } = await import('./tools/index.js');
      if (values.http === undefined) {
        const { serveStdio } = await import('./server/stdio.js');
        return serveStdio({ root, stateDir: values['state-dir'], tools });
      }
      const port = Number(values.http);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--http takes a port number, not ${values.http}`);
      const { serveHttp } = await import('./server/http.js');
      await serveHttp({ root, stateDir: values['state-dir'], port, token, tools });
      return;
    }
    case 'status': {
      const { printStatus } = await import('./status.js');
      process.exitCode = printStatus(root ?? process.cwd(), values['state-dir']);
      return;
    }
    case 'demo': {
      const { DEMO_LANGUAGES, runDemo } = await import('./demo.js');
      const language = DEMO_LANGUAGES.find((name) => name === (values.language ?? 'python'));
      if (!language) fail(`--language takes ${DEMO_LANGUAGES.join(', ')}, not ${values.language}`);
      process.exitCode = await runDemo({ keep: values.keep ?? false, language });
      return;
    }
    case 'measure': {
      const { measureFromFile } = await import('./vm/host-measure.js');
      if (!positionals[1]) fail('measure takes the path of a request file');
      process.exitCode = await measureFromFile(positionals[1], {
        json: values.json ?? false,
        untilStdinCloses: values['until-stdin-closes'] ?? false,
        write: (text) => process.stdout.write(text),
      });
      return;
    }
    default:
      fail(`unknown command ${command}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`codeflash-mcp: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
