import { detectEnvironment, type ProjectEnvironment } from '../env/index.js';
import type { SessionRow } from '../state/sessions.js';

/** The environment session_start detected, or a fresh detection when the session has none. */
export async function sessionEnvironment(session: SessionRow | undefined, root: string): Promise<ProjectEnvironment> {
  if (session?.environment_json) return JSON.parse(session.environment_json) as ProjectEnvironment;
  return detectEnvironment(root);
}
