import { basename } from 'node:path';
import { UserError } from '../errors.js';
import type { FrameRef } from '../profilers/index.js';
import { getArtifact } from '../state/artifacts.js';
import { listExperiments } from '../state/experiments.js';
import { listLearnings } from '../state/notes.js';
import type { Project } from '../state/project.js';
import { getScan, type StoredScanTarget } from '../state/scans.js';
import { buildDossier, type Dossier, type DossierTarget, type StoredProfile } from './dossier.js';
import type { StoredProfileSummary } from './profiles.js';
import type { ScanData } from './scan.js';

export interface DossierRequest {
  /** A function name ("parse", "Parser.feed", "pkg.module") or a place ("app.py:12"). */
  target?: string;
  /** A profile id (prof-…) or a scan id (scan-…); default the latest scan. */
  profileId?: string;
  /** 1-based rank in the scan's targets or the profile's hotspots. */
  rank?: number;
}

/** Whether a frame is the one a `target` text names. */
function names(text: string, frame: FrameRef & { at?: number }): boolean {
  const place = /^(.*):(\d+)$/.exec(text);
  if (place) {
    const [, file, line] = place;
    const sameFile = frame.file === file || frame.file.endsWith(`/${file}`) || basename(frame.file) === file;
    return sameFile && (frame.line === Number(line) || frame.at === Number(line));
  }
  const bare = (name: string) => name.slice(name.lastIndexOf('.') + 1);
  return frame.function === text || frame.function.endsWith(`.${text}`) || (!text.includes('.') && bare(frame.function) === text);
}

function loadProfile(project: Project, id: string): StoredProfile | undefined {
  const artifact = getArtifact<StoredProfileSummary, StoredProfile>(project.db, id, 'profile');
  if (!artifact) return undefined;
  return { ...artifact.data, id };
}

function byRank<T>(items: T[], rank: number, what: string): T {
  const found = items[rank - 1];
  if (!found) throw new UserError(`rank ${rank} is past the ${items.length} ${what}(s) there are`);
  return found;
}

/** A frame of the stored profiles that the target text names, for targets deeper than the ranking. */
function namedFrame(profiles: StoredProfile[], text: string, known: string[]): FrameRef {
  for (const { profile } of profiles) {
    const frame = profile.frames.find((f) => names(text, f));
    if (frame) return { function: frame.function, file: frame.file, line: frame.line };
  }
  throw new UserError(`nothing stored is named ${text.slice(0, 200)}; pass rank, or one of: ${known.slice(0, 8).join(', ')}`);
}

/**
 * The dossier of one target, from what is already stored: a scan's target
 * (by rank or name; its profiles all feed the dossier) or a profile's hotspot.
 * Nothing is profiled again.
 */
export function dossierFor(project: Project, request: DossierRequest): Dossier {
  let target: DossierTarget;
  let profiles: StoredProfile[];
  if (request.profileId && !request.profileId.startsWith('scan-')) {
    const stored = loadProfile(project, request.profileId);
    const summary = getArtifact<StoredProfileSummary>(project.db, request.profileId, 'profile')?.summary;
    if (!stored || !summary)
      throw new UserError(`unknown profile ${request.profileId.slice(0, 60)}; profile and scan results name their ids`);
    profiles = [stored];
    const hotspots = summary.hotspots.map((h) => ({ function: h.function, file: h.file, line: h.line }));
    target = request.target
      ? (hotspots.find((h) => names(request.target!, h)) ??
        namedFrame(
          profiles,
          request.target,
          hotspots.map((h) => h.function),
        ))
      : byRank(hotspots, request.rank ?? 1, 'hotspot');
  } else {
    const scan = getScan<ScanData>(project.db, request.profileId);
    if (!scan) {
      throw new UserError(
        request.profileId
          ? `unknown scan ${request.profileId.slice(0, 60)}`
          : 'no scan yet: run scan first, or pass the profile_id of a profile',
      );
    }
    profiles = Object.values(scan.data.profileIds)
      .map((id) => loadProfile(project, id))
      .filter((p): p is StoredProfile => p !== undefined);
    const ranked: StoredScanTarget | undefined = request.target
      ? scan.targets.find((t) => names(request.target!, t))
      : byRank(scan.targets, request.rank ?? 1, 'scan target');
    target = ranked
      ? { ...ranked, scanId: scan.id }
      : namedFrame(
          profiles,
          request.target!,
          scan.targets.map((t) => t.function),
        );
  }
  return buildDossier({
    root: project.paths.root,
    target,
    profiles,
    experiments: listExperiments(project.db),
    learnings: listLearnings(project.db),
  });
}
