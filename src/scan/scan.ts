import { type ProbeResult, rankHotspots } from '../profilers/index.js';
import { saveArtifact } from '../state/artifacts.js';
import type { Project } from '../state/project.js';
import { saveScan } from '../state/scans.js';
import { shownHotspots, storeProfile } from './profiles.js';
import { type Ranking, rankTargets, type StepName } from './rank.js';
import { renderScanReport } from './report.js';
import { runScanSteps, type ScanRun, type StepReport } from './steps.js';

/** What a scan keeps besides its ranking: how each step went and where its profile is stored. */
export interface ScanData {
  steps: StepReport[];
  profileIds: Partial<Record<StepName, string>>;
  shares: Ranking['shares'];
  wallNs: number | null;
}

export interface ScanOutcome extends Ranking {
  scanId: string;
  steps: StepReport[];
  profileIds: Partial<Record<StepName, string>>;
  report: string;
  wallNs: number | null;
}

/** The probe's run stored as a profile: its sampled stacks with lines, and what else it measured. */
function storeProbe(project: Project, sessionId: string | null, command: string | string[], probe: ProbeResult, root: string): string {
  const hotspots = rankHotspots(probe.wall, { cwd: root, focus: root, top: 15 });
  const { run: _run, ...measured } = probe;
  return saveArtifact(
    project.db,
    'profile',
    sessionId,
    { profiler: 'scan-probe', mode: 'wall', language: 'python', command, hotspots: shownHotspots(hotspots) },
    { profiler: 'scan-probe', mode: 'wall', language: 'python', profile: probe.wall, ...measured },
  );
}

/**
 * One call, every domain: run the scan's profilers on the workload, store
 * each profile, rank targets across domains, store the scan and write
 * .codeflash/scan-report.md.
 */
export async function scanProject(project: Project, sessionId: string | null, run: ScanRun): Promise<ScanOutcome> {
  const { evidence, steps, results, probe } = await runScanSteps(run);
  const ranking = rankTargets(evidence);
  const profileIds: Partial<Record<StepName, string>> = {};
  if (probe) profileIds.probe = storeProbe(project, sessionId, run.command, probe, run.root);
  for (const [step, result] of Object.entries(results) as [Exclude<StepName, 'probe'>, NonNullable<(typeof results)['cpu']>][]) {
    profileIds[step] = storeProfile(project.db, sessionId, run.command, result);
  }
  const wallNs = probe?.wallNs ?? null;
  const data: ScanData = { steps, profileIds, shares: ranking.shares, wallNs };
  const scanId = saveScan(project.db, {
    sessionId,
    command: run.command,
    recommendedDomain: ranking.recommendation.domain,
    reason: ranking.recommendation.reason,
    targets: ranking.targets,
    data,
  });
  const report = project.writeFile(
    'scan-report.md',
    renderScanReport({
      scanId,
      command: run.command,
      ranking,
      steps,
      profileIds,
      date: new Date().toISOString(),
      runtime: probe && {
        gc: probe.gc,
        asyncioUsed: probe.asyncio.used,
        slowCallbacks: probe.asyncio.slowCallbacks.length,
        wallNs: probe.wallNs,
      },
    }),
  );
  return { ...ranking, scanId, steps, profileIds, report, wallNs };
}
