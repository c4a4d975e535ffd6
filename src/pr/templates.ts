import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { excerpt, UserError } from '../errors.js';
import { TEMPLATES_DIR } from '../package.js';
import { isSafeFileName, type StatePaths } from '../state/paths.js';
import { readPlainFile } from '../state/plain-file.js';

/** Every field a PR body template may hold, as `{{NAME}}`. */
export const PLACEHOLDERS = [
  'TITLE',
  'SUMMARY_BULLETS',
  'TECHNICAL_DETAILS',
  'PLATFORM',
  'COMPARISON_TABLE',
  'COMPARE_FLAGS',
  'BASE_REF',
  'HEAD_REF',
  'RUNNER',
  'MEASURED_WITH',
  'BENCHMARK_PATH',
  'REPRODUCE',
  'TESTS',
  'CHANGELOG_SECTION',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type Fields = Record<Placeholder, string>;

/** The one field that may be empty: a project without a changelog gets no changelog section. */
const MAY_BE_EMPTY: ReadonlySet<Placeholder> = new Set(['CHANGELOG_SECTION']);

export const BUILT_IN_TEMPLATES = ['generic', 'python', 'memory'] as const;

/** The file name of a project's default template, in `.codeflash/templates/`. */
export const PROJECT_DEFAULT_TEMPLATE = 'pr-body';

export interface Template {
  name: string;
  origin: 'built-in' | 'project';
  text: string;
}

const PLACEHOLDER = /\{\{\s*([A-Z_]+)\s*\}\}/g;

/**
 * The template a body is written from: the one named (a built-in, or
 * `<name>.md` of the project's templates folder), else the project's own
 * `pr-body.md`, else the memory variant for a memory comparison, the Python
 * one for a Python project, the generic one otherwise. A project's templates
 * live in the state directory's `templates/` (and `<root>/.codeflash/templates/`
 * when the state is kept elsewhere); only plain files are read.
 */
export function chooseTemplate(paths: StatePaths, requested: string | undefined, context: { mode: string; language: string }): Template {
  if (requested && (BUILT_IN_TEMPLATES as readonly string[]).includes(requested)) return builtIn(requested);
  const name = requested ?? PROJECT_DEFAULT_TEMPLATE;
  if (!isSafeFileName(`${name}.md`)) throw new UserError(`template ${excerpt(name, 100)} is not a template name (letters, digits, . _ -)`);
  for (const dir of projectTemplateDirs(paths)) {
    const read = readPlainFile(join(dir, `${name}.md`));
    if ('text' in read) return { name, origin: 'project', text: read.text };
    if ('refused' in read) throw new UserError(`template ${join(dir, `${name}.md`)} ${read.refused}; only plain files are read`);
  }
  if (requested) {
    throw new UserError(
      `no template ${excerpt(requested, 100)}: use ${BUILT_IN_TEMPLATES.join(', ')}, or put ${requested}.md in ${paths.templatesDir}`,
    );
  }
  return builtIn(context.mode === 'memory' ? 'memory' : context.language === 'python' ? 'python' : 'generic');
}

function projectTemplateDirs(paths: StatePaths): string[] {
  const inRepository = join(paths.root, '.codeflash', 'templates');
  return paths.templatesDir === inRepository ? [inRepository] : [paths.templatesDir, inRepository];
}

function builtIn(name: string): Template {
  return { name, origin: 'built-in', text: readFileSync(join(TEMPLATES_DIR, 'pr-body', `${name}.md`), 'utf8') };
}

/** The placeholders a template uses; an unknown one is a UserError naming the known ones. */
export function templatePlaceholders(template: Template): Placeholder[] {
  const used = new Set<Placeholder>();
  for (const [, name] of template.text.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name!)) {
      throw new UserError(`template ${template.name} uses {{${name}}}, which is no field; the fields are ${PLACEHOLDERS.join(', ')}`);
    }
    used.add(name as Placeholder);
  }
  return [...used];
}

/**
 * Fill every placeholder in one pass (text that a field brings in is never
 * read as a placeholder), then close the gaps an empty section leaves.
 */
export function fillTemplate(template: Template, fields: Fields): string {
  for (const name of templatePlaceholders(template)) {
    if (!fields[name].trim() && !MAY_BE_EMPTY.has(name)) throw new Error(`PR body field ${name} is empty`);
  }
  // Only the surrounding line breaks go: the table's lines end in two spaces, markdown's line break.
  const filled = template.text.replace(PLACEHOLDER, (_, name: Placeholder) => fields[name].replace(/^\n+|\n+$/g, ''));
  return `${filled.replace(/\n{3,}/g, '\n\n').replace(/^\s+|\s+$/g, '')}\n`;
}
