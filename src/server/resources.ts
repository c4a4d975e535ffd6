import { type FSWatcher, watch } from 'node:fs';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { UserError } from '../errors.js';
import type { Project } from '../state/project.js';
import {
  ARTIFACT_SEGMENTS,
  artifactEntries,
  FILE_URI_PREFIX,
  fileEntries,
  isServedFileName,
  jobEntries,
  PROGRESS_CHART_URI,
  readStateResource,
  stateFiles,
} from '../state/resources.js';
import type { ServerContext } from './context.js';

/** JSON-RPC error code the specification gives for a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;
const FILE_TEMPLATE = `${FILE_URI_PREFIX}{name}`;

const TEMPLATES = [
  {
    uriTemplate: FILE_TEMPLATE,
    name: 'codeflash-file',
    title: '.codeflash file',
    description:
      "A file of the project's .codeflash/ folder: setup.md, results.tsv, HANDOFF.md, conventions.md, learnings.md, changelog.md, progress.svg, pr-body-*.md, review-report.md.",
  },
  {
    uriTemplate: 'codeflash://jobs/{id}',
    name: 'codeflash-job',
    title: 'Job',
    description: 'A long-running tool call: state, progress, log tail and result.',
  },
  {
    uriTemplate: 'codeflash://profiles/{id}',
    name: 'codeflash-profile',
    title: 'Profile',
    description: 'A stored profile with every frame.',
  },
  {
    uriTemplate: 'codeflash://comparisons/{id}',
    name: 'codeflash-comparison',
    title: 'Comparison',
    description: 'A stored base/head comparison with its raw samples.',
  },
];

const CHART = {
  uri: PROGRESS_CHART_URI,
  name: 'codeflash-progress-chart',
  title: 'Experiment history',
  description: 'Every experiment of the session on its metric: baseline, keeps, discards, crashes, best so far.',
  mimeType: 'image/svg+xml',
};

/**
 * Resource subscriptions: the state directory of every opened project is
 * watched, so a change by this server, another server or a person's editor
 * reaches subscribed clients as notifications/resources/updated.
 */
class StateDirWatcher {
  private readonly subscribed = new Set<string>();
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly server: Server) {}

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
    if (!isServedFileName(name)) return;
    const uri = `${FILE_URI_PREFIX}${name}`;
    clearTimeout(this.pending.get(uri));
    this.pending.set(
      uri,
      setTimeout(() => {
        this.pending.delete(uri);
        if (!this.server.transport) return;
        this.server.sendResourceListChanged().catch(() => {});
        if (this.subscribed.has(uri)) this.server.sendResourceUpdated({ uri }).catch(() => {});
      }, 50).unref(),
    );
  }

  close(): void {
    for (const w of this.watchers) w.close();
    for (const t of this.pending.values()) clearTimeout(t);
  }
}

/** resources/list, templates, read, subscribe and completion of file names, all over the active project's store. */
export function registerResources(server: Server, ctx: ServerContext): { close(): void } {
  const watcher = new StateDirWatcher(server);
  const activeProject = () => {
    try {
      return ctx.project();
    } catch {
      return undefined;
    }
  };

  server.setRequestHandler(ListResourcesRequestSchema, () => {
    const project = activeProject();
    if (!project) return { resources: [CHART] };
    const entries = [
      ...fileEntries(project),
      ...jobEntries(project),
      ...Object.keys(ARTIFACT_SEGMENTS).flatMap((s) => artifactEntries(project, s)),
    ];
    return { resources: [...entries, CHART] };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: TEMPLATES }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    await ctx.whenRootsKnown();
    try {
      return { contents: [readStateResource(ctx.project(), request.params.uri)] };
    } catch (error) {
      if (error instanceof UserError) throw new McpError(RESOURCE_NOT_FOUND, error.message);
      throw error;
    }
  });
  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    watcher.subscribe(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    watcher.unsubscribe(request.params.uri);
    return {};
  });
  server.setRequestHandler(CompleteRequestSchema, (request) => {
    const { ref, argument } = request.params;
    const project = activeProject();
    const values =
      ref.type === 'ref/resource' && ref.uri === FILE_TEMPLATE && argument.name === 'name' && project
        ? stateFiles(project).filter((name) => name.startsWith(argument.value))
        : [];
    return { completion: { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 } };
  });
  const stopWatchingNewProjects = ctx.onProjectOpened((project) => watcher.watch(project));
  return {
    close: () => {
      stopWatchingNewProjects();
      watcher.close();
    },
  };
}
