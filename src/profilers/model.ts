export type ProfileMode = 'cpu' | 'wall' | 'memory' | 'import';
export type ProfileLanguage = 'python' | 'node' | 'go';
/** Time in nanoseconds or microseconds (import times), or memory in bytes. */
export type ProfileUnit = 'ns' | 'us' | 'bytes';

/** Where a function lives: `line` is the function's first line. */
export interface FrameRef {
  function: string;
  file: string;
  line: number;
}

/** A frame on a sampled call path; `at` is the line it was executing, when the profiler saw it. */
export interface PathFrame extends FrameRef {
  at?: number;
}

/** One function with its aggregated cost. */
export interface Frame extends FrameRef {
  /** Cost spent in the function itself. */
  self: number;
  /** Cost spent in the function and everything it called (recursion counted once). */
  total: number;
  /** Calls (deterministic profilers) or allocations (memory profilers), when the profiler counts them. */
  calls?: number;
}

/** One call path, root first, as indices into `Profile.frames`, with the cost spent at its leaf. */
export interface Stack {
  frames: number[];
  weight: number;
}

/** Cost seen while a function was on a line (inclusive: callees' cost counts at the calling line). */
export interface LineCost {
  /** Index into `Profile.frames`. */
  frame: number;
  line: number;
  cost: number;
}

/** Calls from one function to another, with the cost spent in the callee for those calls (deterministic profilers). */
export interface CallEdge {
  caller: number;
  callee: number;
  calls: number;
  cost: number;
}

export interface Profile {
  unit: ProfileUnit;
  /** The whole cost observed: the sum of every frame's self cost plus cost seen with no frame at all. */
  total: number;
  frames: Frame[];
  /** Empty when the profiler records no call paths (cProfile keeps per-function totals only). */
  stacks: Stack[];
  /** Highest memory in use during the run, for memory profilers that track it. */
  peakBytes?: number;
  /** Per-line cost, for profilers that see the executing line. */
  lines?: LineCost[];
  /** Caller to callee edges, for profilers that record them (cProfile). */
  edges?: CallEdge[];
}

export interface Hotspot extends FrameRef {
  self: number;
  total: number;
  self_pct: number;
  total_pct: number;
  calls: number | null;
}

/**
 * Accumulates samples (a call path and its cost) or per-function totals into
 * one Profile. Frames are keyed by function, file and first line; the same
 * function met twice in a row on one path (a comprehension folded into its
 * function, say) counts once.
 */
export class ProfileBuilder {
  private readonly frames: Frame[] = [];
  private readonly index = new Map<string, number>();
  private readonly stacks = new Map<string, Stack>();
  private readonly lines = new Map<string, LineCost>();
  private readonly edges = new Map<string, CallEdge>();
  private total = 0;

  constructor(
    private readonly unit: ProfileUnit,
    private readonly keepFrame: (frame: FrameRef) => boolean = () => true,
  ) {}

  /** Add cost observed on one call path (root first); `count` adds to the leaf's calls. */
  addSample(path: readonly PathFrame[], weight: number, count?: number): void {
    if (!(weight > 0)) return;
    this.total += weight;
    const ids: number[] = [];
    const at = new Map<number, number>();
    for (const ref of path) {
      if (!this.keepFrame(ref)) continue;
      const id = this.frameId(ref);
      if (ids[ids.length - 1] !== id) ids.push(id);
      // The outermost call of a recursive function holds the line its cost is charged to.
      if (ref.at !== undefined && !at.has(id)) at.set(id, ref.at);
    }
    for (const [frame, line] of at) {
      const key = `${frame}:${line}`;
      const cost = this.lines.get(key);
      if (cost) cost.cost += weight;
      else this.lines.set(key, { frame, line, cost: weight });
    }
    if (ids.length === 0) return;
    const leaf = this.frames[ids[ids.length - 1]!]!;
    leaf.self += weight;
    if (count !== undefined) leaf.calls = (leaf.calls ?? 0) + count;
    for (const id of new Set(ids)) this.frames[id]!.total += weight;
    const key = ids.join(',');
    const stack = this.stacks.get(key);
    if (stack) stack.weight += weight;
    else this.stacks.set(key, { frames: ids, weight });
  }

  /** Add a function's totals directly, for profilers that report per function rather than per path. */
  addFunction(ref: FrameRef, self: number, total: number, calls?: number): void {
    if (!this.keepFrame(ref)) return;
    const frame = this.frames[this.frameId(ref)]!;
    frame.self += self;
    frame.total += total;
    if (calls !== undefined) frame.calls = (frame.calls ?? 0) + calls;
    this.total += self;
  }

  /** Add calls from one function to another (both kept only if the frame filter keeps them). */
  addEdge(caller: FrameRef, callee: FrameRef, calls: number, cost: number): void {
    if (!this.keepFrame(caller) || !this.keepFrame(callee)) return;
    const [from, to] = [this.frameId(caller), this.frameId(callee)];
    if (from === to) return;
    const key = `${from}>${to}`;
    const edge = this.edges.get(key);
    if (edge) {
      edge.calls += calls;
      edge.cost += cost;
    } else this.edges.set(key, { caller: from, callee: to, calls, cost });
  }

  build(extra: { peakBytes?: number } = {}): Profile {
    return {
      unit: this.unit,
      total: this.total,
      frames: this.frames,
      stacks: [...this.stacks.values()],
      ...extra,
      ...(this.lines.size ? { lines: [...this.lines.values()] } : {}),
      ...(this.edges.size ? { edges: [...this.edges.values()] } : {}),
    };
  }

  private frameId(ref: FrameRef): number {
    const key = `${ref.function}\0${ref.file}\0${ref.line}`;
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ function: ref.function, file: ref.file, line: ref.line, self: 0, total: 0 });
      this.index.set(key, id);
    }
    return id;
  }
}
