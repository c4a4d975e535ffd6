import { gunzipSync } from 'node:zlib';

/** The parts of a pprof profile (profile.proto) that a per-function view needs. */
export interface PprofProfile {
  sampleTypes: { type: string; unit: string }[];
  /** Location ids leaf first, one value per sample type. */
  samples: { locationIds: number[]; values: number[] }[];
  /** Per location, its lines innermost first: inlined callees before the function they were inlined into. */
  locations: Map<number, { functionId: number; line: number }[]>;
  functions: Map<number, { name: string; file: string; startLine: number }>;
}

type Field = (field: number, wire: number, reader: ProtoReader) => void;

class ProtoReader {
  pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) throw new Error('truncated pprof profile');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  /** A length-delimited field as its own reader. */
  sub(): ProtoReader {
    const length = this.varint();
    const reader = new ProtoReader(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return reader;
  }

  string(): string {
    const sub = this.sub();
    return Buffer.from(this.bytes.subarray(sub.pos, sub.end)).toString('utf8');
  }

  /** Repeated integers, packed or one per field. */
  varints(wire: number, into: number[]): void {
    if (wire !== 2) {
      into.push(this.varint());
      return;
    }
    const sub = this.sub();
    while (sub.pos < sub.end) into.push(sub.varint());
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const length = this.varint();
      this.pos += length;
    } else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }

  each(onField: Field): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const before = this.pos;
      onField(Math.floor(key / 8), key & 7, this);
      if (this.pos === before) this.skip(key & 7);
    }
  }
}

/** Decode a pprof file as Go writes it (gzip-compressed protobuf, already symbolized). */
export function decodePprof(file: Uint8Array): PprofProfile {
  const bytes = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file;
  const strings: string[] = [];
  const sampleTypes: [number, number][] = [];
  const samples: PprofProfile['samples'] = [];
  const locations: PprofProfile['locations'] = new Map();
  const functions: [number, number, number, number][] = [];
  new ProtoReader(bytes).each((field, _wire, reader) => {
    if (field === 1) sampleTypes.push(pair(reader.sub()));
    else if (field === 2) samples.push(sample(reader.sub()));
    else if (field === 4) {
      const [id, lines] = location(reader.sub());
      locations.set(id, lines);
    } else if (field === 5) functions.push(fn(reader.sub()));
    else if (field === 6) strings.push(reader.string());
  });
  const text = (index: number) => strings[index] ?? '';
  return {
    sampleTypes: sampleTypes.map(([type, unit]) => ({ type: text(type), unit: text(unit) })),
    samples,
    locations,
    functions: new Map(functions.map(([id, name, file, startLine]) => [id, { name: text(name), file: text(file), startLine }])),
  };
}

function pair(reader: ProtoReader): [number, number] {
  const values: [number, number] = [0, 0];
  reader.each((field, _wire, r) => {
    if (field === 1 || field === 2) values[field - 1] = r.varint();
  });
  return values;
}

function sample(reader: ProtoReader): PprofProfile['samples'][number] {
  const locationIds: number[] = [];
  const values: number[] = [];
  reader.each((field, wire, r) => {
    if (field === 1) r.varints(wire, locationIds);
    else if (field === 2) r.varints(wire, values);
  });
  return { locationIds, values };
}

function location(reader: ProtoReader): [number, { functionId: number; line: number }[]] {
  let id = 0;
  const lines: { functionId: number; line: number }[] = [];
  reader.each((field, _wire, r) => {
    if (field === 1) id = r.varint();
    else if (field === 4) {
      const [functionId, line] = pair(r.sub());
      lines.push({ functionId, line });
    }
  });
  return [id, lines];
}

function fn(reader: ProtoReader): [number, number, number, number] {
  const values: [number, number, number, number] = [0, 0, 0, 0];
  reader.each((field, _wire, r) => {
    if (field === 1) values[0] = r.varint();
    else if (field === 2) values[1] = r.varint();
    else if (field === 4) values[2] = r.varint();
    else if (field === 5) values[3] = r.varint();
  });
  return values;
}
