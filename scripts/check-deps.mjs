// Checks the layering of src/: each folder's DEPS.list names what its files may
// import besides the folder itself and Node's builtins — other src/ folders or
// top-level modules (`../state`, `../errors.ts`) and npm packages (`zod`).
// Top-level files (the CLI and the leaf modules) are governed by src/DEPS.list.
// Also: SQL is prepared only under src/state/, and only the CLI's own commands
// write to stdout (on stdio it carries JSON-RPC).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;
/** Builtins no folder but proc/ may use: every child process goes through src/proc/. */
const PROC_ONLY = new Set(['node:child_process', 'child_process']);
const STDOUT_WRITERS = new Set(['cli.ts', 'demo.ts', 'status.ts']);

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function readList(path) {
  if (!existsSync(path)) return undefined;
  return new Set(
    readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean),
  );
}

/** The layer a file belongs to: its top-level folder under src/, or '' for a top-level file. */
function layerOf(srcDir, file) {
  const parts = relative(srcDir, file).split(sep);
  return parts.length > 1 ? parts[0] : '';
}

/** How a DEPS.list names an import target inside src/: `../folder` or `../module.ts`. */
function entryFor(srcDir, target) {
  const parts = relative(srcDir, target).split(sep);
  return parts.length > 1 ? `../${parts[0]}` : `../${parts[0].replace(/\.js$/, '.ts')}`;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function checkDeps(srcDir) {
  const violations = [];
  const lists = new Map();
  for (const file of tsFiles(srcDir)) {
    const layer = layerOf(srcDir, file);
    const listPath = join(srcDir, layer, 'DEPS.list');
    if (!lists.has(layer)) lists.set(layer, readList(listPath));
    const allowed = lists.get(layer);
    const name = relative(srcDir, file);
    if (!allowed) {
      violations.push(`${name}: no ${relative(srcDir, listPath)} says what ${layer || 'src/'} may import`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (layerOf(srcDir, target) === layer) continue;
        const entry = entryFor(srcDir, target);
        if (!allowed.has(entry)) violations.push(`${name} imports ${spec}, and ${entry} is not in its DEPS.list`);
      } else if (spec.startsWith('node:') || !spec.includes(':')) {
        const builtin = spec.startsWith('node:');
        if (PROC_ONLY.has(spec) && layer !== 'proc') violations.push(`${name} imports ${spec}: child processes start in src/proc/ only`);
        else if (!builtin && !allowed.has(packageName(spec)))
          violations.push(`${name} imports ${spec}, and ${packageName(spec)} is not in its DEPS.list`);
      }
    }
    if (layer !== 'state' && /\.prepare\(/.test(text)) violations.push(`${name} prepares SQL: only src/state/ talks to SQLite`);
    if (
      !(layer === '' && STDOUT_WRITERS.has(name)) &&
      /console\.(log|info)\(|process\.stdout\.write/.test(text.replace(/String\.raw`[^`]*`/g, ''))
    ) {
      violations.push(`${name} writes to stdout, which carries JSON-RPC`);
    }
  }
  return violations;
}

/** The README's layout table, from each DEPS.list: its first comment line says what the folder is for. */
export function renderLayout(srcDir) {
  const folders = readdirSync(srcDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const rows = ['', ...folders].map((folder) => {
    const text = readFileSync(join(srcDir, folder, 'DEPS.list'), 'utf8');
    const purpose = /^#\s*(.*)$/m.exec(text)?.[1] ?? '';
    const deps = [...readList(join(srcDir, folder, 'DEPS.list'))].map((d) => `\`${d.replace(/^\.\.\//, '')}\``).join(', ');
    return `| \`src/${folder ? `${folder}/` : '*.ts'}\` | ${purpose} | ${deps || '—'} |`;
  });
  return `| folder | what it holds | may import (besides itself and Node) |\n|:--|:--|:--|\n${rows.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const violations = checkDeps(fileURLToPath(new URL('../src/', import.meta.url)));
  for (const line of violations) process.stderr.write(`${line}\n`);
  process.exitCode = violations.length ? 1 : 0;
}
