import { excerpt, UserError } from '../errors.js';
import type { Domain } from '../state/sessions.js';

const MARKERS: Record<Domain, string> = {
  cpu: 'ds',
  memory: 'mem',
  async: 'async',
  structure: 'struct',
  deep: 'deep',
};

/** Branch prefixes under which optimization sessions live (`codeflash/` is the older naming). */
const SESSION_PREFIXES = ['perf/', 'codeflash/'];

const MAX_SLUG_LENGTH = 48;

/**
 * What a branch asked for may hold: plain words. Text with shell syntax,
 * quotes or control characters is refused rather than rewritten, so a call
 * such as branch "$(touch pwned)" changes nothing instead of ending the
 * session and checking out a branch named after it.
 */
const PLAIN_SLUG = /^[A-Za-z0-9._ -]+$/;
const PLAIN_BRANCH = /^[A-Za-z0-9._/-]+$/;
const PLAIN_WORDS = 'letters, digits, "-", "_" and "."';

/** Refuse (UserError) a full branch name that is not plain words and slashes. */
export function assertPlainBranchName(name: string): void {
  if (!PLAIN_BRANCH.test(name)) {
    throw new UserError(
      `branch ${JSON.stringify(excerpt(name))} is refused: a branch name here is ${PLAIN_WORDS} and "/", e.g. perf/ds-dict-lookup`,
    );
  }
}

/** The marker a session branch carries for its domain: cpu → `ds`, memory → `mem`, … */
export function branchMarker(domain: Domain): string {
  return MARKERS[domain];
}

/**
 * The domain a session branch was started for, read from whole marker tokens
 * after its `perf/` prefix: `perf/mem-reduce-peak` → memory. Tokens are split on
 * `-` and `/`, so `perf/dsp-filter` carries no marker.
 */
export function domainFromBranch(branch: string): Domain | undefined {
  const prefix = SESSION_PREFIXES.find((p) => branch.startsWith(p));
  if (!prefix) return undefined;
  const tokens = branch.slice(prefix.length).toLowerCase().split(/[-/]/);
  for (const token of tokens) {
    const domain = (Object.keys(MARKERS) as Domain[]).find((d) => MARKERS[d] === token);
    if (domain) return domain;
  }
  return undefined;
}

/** `perf/<marker>-<slug>`, the slug (plain words, else a UserError) reduced to lowercase letters, digits and single dashes. */
export function perfBranchName(domain: Domain, slug: string): string {
  if (!PLAIN_SLUG.test(slug)) {
    throw new UserError(
      `branch slug ${JSON.stringify(excerpt(slug))} is refused: a slug is ${PLAIN_WORDS} and spaces, e.g. "cut allocations"`,
    );
  }
  const clean = slug
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  if (!clean) throw new UserError(`branch slug ${JSON.stringify(excerpt(slug))} has no letters or digits`);
  return `perf/${branchMarker(domain)}-${clean}`;
}

/**
 * Why `name` is not a valid new branch name, following `git check-ref-format
 * --branch`; undefined when it is valid. Refusing a leading `-` also keeps a
 * branch name from ever being read as an option.
 */
export function validateBranchName(name: string): string | undefined {
  if (name === '') return 'branch name is empty';
  if (name.startsWith('-')) return `branch name "${name}" starts with "-"`;
  if (name === '@' || name === 'HEAD') return `"${name}" is not a valid branch name`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git refuses control characters in branch names; this is that check
  if (/[\x00-\x20\x7f]/.test(name)) return `branch name "${name}" contains a space or a control character`;
  const forbidden = /[~^:?*[\\]/.exec(name);
  if (forbidden) return `branch name "${name}" contains "${forbidden[0]}"`;
  if (name.includes('..')) return `branch name "${name}" contains ".."`;
  if (name.includes('@{')) return `branch name "${name}" contains "@{"`;
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return `branch name "${name}" has an empty path component`;
  }
  if (name.endsWith('.')) return `branch name "${name}" ends with "."`;
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `branch name "${name}" has a component starting with "."`;
    if (component.endsWith('.lock')) return `branch name "${name}" has a component ending with ".lock"`;
  }
  return undefined;
}
