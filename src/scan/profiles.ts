import type { Hotspot, ProfileResult } from '../profilers/index.js';
import { saveArtifact } from '../state/artifacts.js';
import type { Db } from '../state/database.js';

/** A hotspot as results show it: percentages to a tenth. */
export interface ShownHotspot {
  function: string;
  file: string;
  line: number;
  self_pct: number;
  total_pct: number;
  calls: number | null;
}

export function shownHotspots(hotspots: readonly Hotspot[]): ShownHotspot[] {
  return hotspots.map((h) => ({
    function: h.function,
    file: h.file,
    line: h.line,
    self_pct: Math.round(h.self_pct * 10) / 10,
    total_pct: Math.round(h.total_pct * 10) / 10,
    calls: h.calls,
  }));
}

/** The summary a stored profile carries (what codeflash://profiles/{id} lists first). */
export interface StoredProfileSummary {
  profiler: string;
  mode: string;
  language: string;
  command: string | string[];
  hotspots: ShownHotspot[];
}

/** Store a whole profile (every frame, stack, line and edge); results only point to it. */
export function storeProfile(db: Db, sessionId: string | null, command: string | string[], result: ProfileResult): string {
  const summary: StoredProfileSummary = {
    profiler: result.profiler,
    mode: result.mode,
    language: result.language,
    command,
    hotspots: shownHotspots(result.hotspots),
  };
  return saveArtifact(db, 'profile', sessionId, summary, { ...result, pid: undefined });
}
