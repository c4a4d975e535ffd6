import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { excerpt, UserError } from '../errors.js';
import { type ArtifactKind, getArtifact, listArtifactIds } from './artifacts.js';
import { getJob, listJobs, toView } from './jobs.js';
import { isSafeFileName } from './paths.js';
import { isPlainFile } from './plain-file.js';
import type { Project } from './project.js';

/**
 * Everything the store shows to a client is addressed by a codeflash:// URI:
 * the rendered .codeflash/ files, jobs, stored profiles and comparisons, and
 * the progress chart. One reader serves resources/read and the read_artifact
 * tool, for hosts whose model cannot read resources.
 */
export const FILE_URI_PREFIX = 'codeflash://files/';
export const PROGRESS_CHART_URI = 'codeflash://charts/progress.svg';

export interface ResourceText {
  uri: string;
  mimeType: string;
  text: string;
}

export interface ResourceEntry {
  uri: string;
  name: string;
  mimeType: string;
}

/** The URI path segment of each stored artifact kind. */
export const ARTIFACT_SEGMENTS: Record<string, ArtifactKind> = { profiles: 'profile', comparisons: 'comparison' };

const SERVED_FILE = /\.(md|tsv|json|svg)$/;

export function isServedFileName(name: string): boolean {
  return SERVED_FILE.test(name) && isSafeFileName(name);
}

export function mimeFor(name: string): string {
  if (name.endsWith('.md')) return 'text/markdown';
  if (name.endsWith('.tsv')) return 'text/tab-separated-values';
  if (name.endsWith('.svg')) return 'image/svg+xml';
  return 'application/json';
}

/** The .codeflash/ files a client may read: rendered documents, not the store or temp files. */
export function stateFiles(project: Project): string[] {
  const dir = project.paths.stateDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => isServedFileName(name) && isPlainFile(join(dir, name)))
    .sort();
}

export function fileEntries(project: Project): ResourceEntry[] {
  return stateFiles(project).map((name) => ({ uri: `${FILE_URI_PREFIX}${name}`, name, mimeType: mimeFor(name) }));
}

export function jobEntries(project: Project, limit = 20): ResourceEntry[] {
  return listJobs(project.db, limit).map((job) => ({
    uri: `codeflash://jobs/${job.id}`,
    name: `${job.tool} ${job.id} (${job.state})`,
    mimeType: 'application/json',
  }));
}

export function artifactEntries(project: Project, segment: string, limit = 20): ResourceEntry[] {
  const kind = ARTIFACT_SEGMENTS[segment]!;
  return listArtifactIds(project.db, kind, limit).map((id) => ({
    uri: `codeflash://${segment}/${id}`,
    name: `${kind} ${id}`,
    mimeType: 'application/json',
  }));
}

const URI_FORMS = `codeflash://files/<name>, jobs/<id>, profiles/<id>, comparisons/<id> or ${PROGRESS_CHART_URI}`;

/** A URI's percent-escaped last segment, decoded; a malformed escape (%ZZ) is the caller's mistake. */
function decodedSegment(uri: string, segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new UserError(`not a codeflash resource: ${excerpt(uri)} has a malformed %-escape; use ${URI_FORMS}`);
  }
}

/** Read any codeflash:// URI of a project; an unknown or malformed one is a UserError naming the forms that exist. */
export function readStateResource(project: Project, uri: string): ResourceText {
  if (uri === PROGRESS_CHART_URI) return { uri, mimeType: 'image/svg+xml', text: project.progressSvg() };
  const match = /^codeflash:\/\/(files|jobs|profiles|comparisons)\/([^/?#]+)$/.exec(uri);
  if (!match) throw new UserError(`not a codeflash resource: ${uri.slice(0, 200)}; use ${URI_FORMS}`);
  const [, kind, rawId] = match as unknown as [string, string, string];
  const id = decodedSegment(uri, rawId);
  if (kind === 'files') {
    if (!isServedFileName(id)) throw new UserError(`not a .codeflash file name: ${id.slice(0, 200)}`);
    const file = project.readStateFile(id);
    if ('refused' in file)
      throw new UserError(`${id} in ${project.paths.stateDir} ${file.refused}; only plain files the server wrote are served`);
    if ('missing' in file) throw new UserError(`no ${id} in ${project.paths.stateDir} (yet)`);
    return { uri, mimeType: mimeFor(id), text: file.text };
  }
  if (kind === 'jobs') {
    const row = getJob(project.db, id);
    if (!row) throw new UserError(`unknown job ${id.slice(0, 60)}`);
    return { uri, mimeType: 'application/json', text: JSON.stringify(toView(row), null, 2) };
  }
  const artifact = getArtifact(project.db, id, ARTIFACT_SEGMENTS[kind]);
  if (!artifact) throw new UserError(`unknown ${kind.slice(0, -1)} ${id.slice(0, 60)}`);
  return { uri, mimeType: 'application/json', text: JSON.stringify(artifact, null, 2) };
}
