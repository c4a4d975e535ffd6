import { existsSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import type { FrameRef, Hotspot, Profile } from './model.js';

export interface HotspotOptions {
  top?: number;
  /** A path prefix (relative to cwd) or a module / package name. */
  focus?: string;
  cwd: string;
}

const DEPENDENCY_DIRS = [`${sep}node_modules${sep}`, `${sep}site-packages${sep}`, `${sep}.venv${sep}`];

/**
 * The functions with the most self cost. With a focus, only functions inside
 * it are ranked, and where call paths are known, cost spent in code outside
 * the focus (libraries, the runtime) is charged to the deepest focused caller:
 * the project function that chose to make that call.
 */
export function rankHotspots(profile: Profile, options: HotspotOptions): Hotspot[] {
  const { frames } = profile;
  const inFocus = focusMatcher(options.focus, options.cwd);
  let self = frames.map((frame) => frame.self);
  if (inFocus && profile.stacks.length > 0) {
    self = frames.map(() => 0);
    for (const stack of profile.stacks) {
      const owner = stack.frames.findLast((id) => inFocus(frames[id]!));
      if (owner !== undefined) self[owner]! += stack.weight;
    }
  }
  const pct = (value: number) => (profile.total > 0 ? Math.round((value / profile.total) * 10000) / 100 : 0);
  return frames
    .map((frame, id) => ({ frame, self: self[id]! }))
    .filter(({ frame, self }) => (self > 0 || frame.total > 0) && (!inFocus || inFocus(frame)))
    .sort((a, b) => b.self - a.self || b.frame.total - a.frame.total)
    .slice(0, options.top ?? 20)
    .map(({ frame, self }) => ({
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

function focusMatcher(focus: string | undefined, cwd: string): ((frame: FrameRef) => boolean) | undefined {
  if (!focus) return undefined;
  const path = resolve(cwd, focus);
  if (isAbsolute(focus) || focus.startsWith('.') || existsSync(path)) {
    return (frame) =>
      (frame.file === path || frame.file.startsWith(path + sep)) && !DEPENDENCY_DIRS.some((dir) => frame.file.includes(dir));
  }
  const asPath = `${sep}${focus.replaceAll('.', sep)}`;
  return (frame) =>
    frame.function === focus ||
    frame.function.startsWith(`${focus}.`) ||
    frame.file.includes(`${asPath}${sep}`) ||
    frame.file.endsWith(`${asPath}.py`);
}
