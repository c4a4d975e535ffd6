import { writeFile } from 'node:fs/promises';
import type { Profile, ProfileUnit } from './model.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

const UNITS: Record<ProfileUnit, string> = { ns: 'nanoseconds', us: 'microseconds', bytes: 'bytes' };

/**
 * A speedscope "sampled" profile: each call path once, weighted by its cost.
 * A profile without call paths (cProfile) becomes one single-frame path per
 * function weighted by its self cost, which still reads right in the
 * Left Heavy and Sandwich views.
 */
export function toSpeedscope(profile: Profile, name: string): object {
  const paths =
    profile.stacks.length > 0
      ? profile.stacks
      : profile.frames.flatMap((frame, id) => (frame.self > 0 ? [{ frames: [id], weight: frame.self }] : []));
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    name,
    exporter: 'codeflash-mcp',
    activeProfileIndex: 0,
    shared: {
      frames: profile.frames.map((frame) => ({
        name: frame.function,
        ...(frame.file ? { file: frame.file } : {}),
        ...(frame.line > 0 ? { line: frame.line } : {}),
      })),
    },
    profiles: [
      {
        type: 'sampled',
        name,
        unit: UNITS[profile.unit],
        startValue: 0,
        endValue: paths.reduce((sum, path) => sum + path.weight, 0),
        samples: paths.map((path) => path.frames),
        weights: paths.map((path) => path.weight),
      },
    ],
  };
}

export async function writeSpeedscope(profile: Profile, path: string, name: string): Promise<void> {
  await writeFile(path, JSON.stringify(toSpeedscope(profile, name)));
}
