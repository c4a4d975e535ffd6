import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import type { FrameRef, Hotspot, Profile } from './model.js';

export interface HotspotOptions {
  top?: number;
  /**
   * What to rank. Omitted: the project's own code first (`project`). A path
   * prefix (relative to cwd) or a module / package name: only code inside it.
   * `*`: every frame by its own self cost, nothing charged to anyone.
   */
  focus?: string;
  /** Omitted focus means `*` instead of the project (import profiles, where the slow dependency is the finding). */
  rawByDefault?: boolean;
  cwd: string;
}

/** Focus value that ranks every frame as recorded. */
export const ALL_FRAMES = '*';

const DEPENDENCY_DIRS = [`${sep}node_modules${sep}`, `${sep}site-packages${sep}`, `${sep}.venv${sep}`, `${sep}vendor${sep}`];

/**
 * The functions with the most self cost, charged to the code that matters.
 *
 * By default the project's own functions (files under cwd, outside installed
 * dependencies) come first: where call paths are known, time spent in the
 * runtime, the standard library or a dependency is charged to the deepest
 * project function on the path, the one that chose to make that call. Cost on
 * paths with no project frame at all (a garbage collector, module loading)
 * follows, on the frames where it was seen. With an explicit focus only
 * functions inside it are ranked, charged the same way. The profile itself is
 * never changed: the stored and speedscope files keep every frame.
 */
export function rankHotspots(profile: Profile, options: HotspotOptions): Hotspot[] {
  const { frames } = profile;
  const focus = options.focus ?? (options.rawByDefault ? ALL_FRAMES : undefined);
  const explicit = focus !== undefined && focus !== ALL_FRAMES ? focusMatcher(focus, options.cwd) : undefined;
  const project = focus === undefined ? projectMatcher(options.cwd) : undefined;
  const owned = explicit ?? project;
  // A profile with no project frame at all (a tool outside the project) is ranked as recorded.
  const inScope = owned && frames.some((frame) => owned(frame)) ? owned : explicit;
  let self = frames.map((frame) => frame.self);
  if (inScope && profile.stacks.length > 0) {
    self = frames.map(() => 0);
    for (const stack of profile.stacks) {
      const owner = stack.frames.findLast((id) => inScope(frames[id]!));
      if (owner !== undefined) self[owner]! += stack.weight;
      else if (!explicit) self[stack.frames[stack.frames.length - 1]!]! += stack.weight;
    }
  }
  const pct = (value: number) => (profile.total > 0 ? Math.round((value / profile.total) * 10000) / 100 : 0);
  const ranked = frames
    .map((frame, id) => ({ frame, self: self[id]!, first: inScope ? inScope(frame) : true }))
    // Outside the scope only cost that no project function could take is shown.
    .filter(({ frame, self, first }) => (first ? self > 0 || frame.total > 0 : !explicit && self > 0))
    .sort((a, b) => Number(b.first) - Number(a.first) || b.self - a.self || b.frame.total - a.frame.total);
  return ranked.slice(0, options.top ?? 20).map(({ frame, self }) => ({
    function: frame.function,
    file: frame.file,
    line: frame.line,
    self,
    total: frame.total,
    self_pct: pct(self),
    total_pct: pct(frame.total),
    calls: frame.calls ?? null,
  }));
}

/** Files under the project root (symlinks resolved too), outside installed dependencies. */
function projectMatcher(cwd: string): (frame: FrameRef) => boolean {
  const roots = [...new Set([resolve(cwd), canonical(cwd)])];
  return (frame) => roots.some((root) => frame.file.startsWith(root + sep)) && !DEPENDENCY_DIRS.some((dir) => frame.file.includes(dir));
}

function focusMatcher(focus: string, cwd: string): (frame: FrameRef) => boolean {
  const path = resolve(cwd, focus);
  if (isAbsolute(focus) || focus.startsWith('.') || existsSync(path)) {
    return (frame) =>
      (frame.file === path || frame.file.startsWith(path + sep)) && !DEPENDENCY_DIRS.some((dir) => frame.file.includes(dir));
  }
  const asPath = `${sep}${focus.replaceAll('.', sep)}`;
  return (frame) =>
    frame.function === focus ||
    frame.function.startsWith(`${focus}.`) ||
    // Go: a package path's functions and those of the packages below it.
    frame.function.startsWith(`${focus}/`) ||
    frame.file.includes(`${asPath}${sep}`) ||
    frame.file.endsWith(`${asPath}.py`);
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
