import { existsSync, type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { UserError } from '../errors.js';
import { type ArtifactKind, getArtifact, listArtifactIds } from '../state/artifacts.js';
import { listExperiments } from '../state/experiments.js';
import { listJobs } from '../state/jobs.js';
import { isSafeFileName } from '../state/paths.js';
import type { Project } from '../state/project.js';
import { renderProgressSvg } from '../state/render/progress-svg.js';
import { latestSession } from '../state/sessions.js';
import type { ServerContext } from './context.js';
import { toView } from './jobs.js';

export const FILE_URI_PREFIX = 'codeflash://files/';
export const PROGRESS_CHART_URI = 'codeflash://charts/progress.svg';

/** The active session's experiment history as SVG (an empty chart before any session). */
function progressChart(ctx: ServerContext): string {
  const project = ctx.project();
  const session = latestSession(project.db);
  return renderProgressSvg(
    session ? listExperiments(project.db, session.id) : [],
    session ? `Session ${session.id}${session.branch ? ` on ${session.branch}` : ''}` : 'No session yet',
  );
}
const SERVED_FILE = /\.(md|tsv|json|svg)$/;

function mimeFor(name: string): string {
  if (name.endsWith('.md')) return 'text/markdown';
  if (name.endsWith('.tsv')) return 'text/tab-separated-values';
  if (name.endsWith('.svg')) return 'image/svg+xml';
  return 'application/json';
}

/** The `.codeflash/` files a client may read: rendered documents, not the store or temp files. */
export function stateFiles(project: Project): string[] {
  const dir = project.paths.stateDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => SERVED_FILE.test(name) && isSafeFileName(name) && statSync(`${dir}/${name}`).isFile())
    .sort();
}

export interface ResourceText {
  uri: string;
  mimeType: string;
  text: string;
}

const ARTIFACT_KINDS: Record<string, ArtifactKind> = { profiles: 'profile', comparisons: 'comparison' };

/** Read any codeflash:// URI; shared by resources/read and the read_artifact tool. */
export function readResource(ctx: ServerContext, uri: string): ResourceText {
  if (uri === PROGRESS_CHART_URI) return { uri, mimeType: 'image/svg+xml', text: progressChart(ctx) };
  const match = /^codeflash:\/\/(files|jobs|profiles|comparisons)\/([^/?#]+)$/.exec(uri);
  if (!match)
    throw new UserError(
      `not a codeflash resource: ${uri}; use codeflash://files/<name>, jobs/<id>, profiles/<id>, comparisons/<id> or ${PROGRESS_CHART_URI}`,
    );
  const [, kind, rawId] = match as unknown as [string, string, string];
  const id = decodeURIComponent(rawId);
  const project = ctx.project();
  if (kind === 'files') {
    if (!isSafeFileName(id) || !SERVED_FILE.test(id)) throw new UserError(`not a .codeflash file name: ${id}`);
    const text = project.readFile(id);
    if (text === undefined) throw new UserError(`no ${id} in ${project.paths.stateDir} (yet)`);
    return { uri, mimeType: mimeFor(id), text };
  }
  if (kind === 'jobs') {
    const row = project.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    if (!row) throw new UserError(`unknown job ${id}`);
    return { uri, mimeType: 'application/json', text: JSON.stringify(toView(row as Parameters<typeof toView>[0]), null, 2) };
  }
  const artifact = getArtifact(project.db, id, ARTIFACT_KINDS[kind]);
  if (!artifact) throw new UserError(`unknown ${kind.slice(0, -1)} ${id}`);
  return { uri, mimeType: 'application/json', text: JSON.stringify(artifact, null, 2) };
}

function listing(uris: { uri: string; name: string; mimeType: string; description?: string }[]) {
  return { resources: uris };
}

/**
 * Resource subscriptions: the state directory of every opened project is
 * watched, so a change by this server, another server or a person's editor
 * reaches subscribed clients as notifications/resources/updated.
 */
class StateDirWatcher {
  private readonly subscribed = new Set<string>();
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly server: McpServer) {}

  subscribe(uri: string): void {
    this.subscribed.add(uri);
  }

  unsubscribe(uri: string): void {
    this.subscribed.delete(uri);
  }

  watch(project: Project): void {
    try {
      const watcher = watch(project.paths.stateDir, { persistent: false }, (_event, filename) => {
        if (filename) this.changed(String(filename));
      });
      watcher.on('error', () => watcher.close());
      this.watchers.push(watcher);
    } catch {
      // A state directory that cannot be watched still works; it only sends no updates.
    }
  }

  private changed(name: string): void {
    if (!SERVED_FILE.test(name) || name.startsWith('.')) return;
    const uri = `${FILE_URI_PREFIX}${name}`;
    clearTimeout(this.pending.get(uri));
    this.pending.set(
      uri,
      setTimeout(() => {
        this.pending.delete(uri);
        if (!this.server.isConnected()) return;
        this.server.sendResourceListChanged();
        if (this.subscribed.has(uri)) this.server.server.sendResourceUpdated({ uri }).catch(() => {});
      }, 50).unref(),
    );
  }

  close(): void {
    for (const w of this.watchers) w.close();
    for (const t of this.pending.values()) clearTimeout(t);
  }
}

export function registerResources(server: McpServer, ctx: ServerContext): { close(): void } {
  const watcher = new StateDirWatcher(server);
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    watcher.subscribe(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    watcher.unsubscribe(request.params.uri);
    return {};
  });
  const stopWatchingNewProjects = ctx.onProjectOpened((project) => watcher.watch(project));

  const read = (uri: URL) => {
    try {
      return { contents: [readResource(ctx, uri.href)] };
    } catch (error) {
      throw new Error((error as Error).message);
    }
  };
  const activeProject = () => {
    try {
      return ctx.project();
    } catch {
      return undefined;
    }
  };

  server.registerResource(
    'codeflash-file',
    new ResourceTemplate(`${FILE_URI_PREFIX}{name}`, {
      list: async () => {
        const project = activeProject();
        return listing(
          (project ? stateFiles(project) : []).map((name) => ({ uri: `${FILE_URI_PREFIX}${name}`, name, mimeType: mimeFor(name) })),
        );
      },
      complete: {
        name: (value) => {
          const project = activeProject();
          return (project ? stateFiles(project) : []).filter((name) => name.startsWith(value));
        },
      },
    }),
    {
      title: '.codeflash file',
      description:
        "A file of the project's .codeflash/ folder: setup.md, results.tsv, HANDOFF.md, conventions.md, learnings.md, changelog.md, review and PR drafts.",
    },
    read,
  );

  server.registerResource(
    'codeflash-job',
    new ResourceTemplate('codeflash://jobs/{id}', {
      list: async () => {
        const project = activeProject();
        return listing(
          (project ? listJobs(project.db, 20) : []).map((job) => ({
            uri: `codeflash://jobs/${job.id}`,
            name: `${job.tool} ${job.id} (${job.state})`,
            mimeType: 'application/json',
          })),
        );
      },
    }),
    { title: 'Job', description: 'A long-running tool call: state, progress, log tail and result.' },
    read,
  );

  server.registerResource(
    'codeflash-progress-chart',
    PROGRESS_CHART_URI,
    {
      title: 'Experiment history',
      description: 'Every experiment of the session on its metric: baseline, keeps, discards, crashes, best so far.',
      mimeType: 'image/svg+xml',
    },
    read,
  );

  for (const [segment, kind] of Object.entries(ARTIFACT_KINDS)) {
    server.registerResource(
      `codeflash-${kind}`,
      new ResourceTemplate(`codeflash://${segment}/{id}`, {
        list: async () => {
          const project = activeProject();
          return listing(
            (project ? listArtifactIds(project.db, kind, 20) : []).map((id) => ({
              uri: `codeflash://${segment}/${id}`,
              name: `${kind} ${id}`,
              mimeType: 'application/json',
            })),
          );
        },
      }),
      {
        title: kind === 'profile' ? 'Profile' : 'Comparison',
        description: kind === 'profile' ? 'A stored profile with every frame.' : 'A stored base/head comparison with its raw samples.',
      },
      read,
    );
  }
  return {
    close: () => {
      stopWatchingNewProjects();
      watcher.close();
    },
  };
}
