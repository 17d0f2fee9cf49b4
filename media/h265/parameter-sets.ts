import { parseHevcPps, type HevcPpsInfo } from './pps-parser.ts';
import type { HevcParameterSetLookup } from './slice-header.ts';
import { parseHevcSps, type HevcSpsInfo } from './sps-parser.ts';
import { parseHevcVps, type HevcVpsInfo } from './vps-parser.ts';

interface Stored<T> {
  nal: Uint8Array;
  info: T;
}

/** The parameter sets in force, as the hvcC of an init segment lists them (sorted by id). */
export interface HevcParameterSetArrays {
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/**
 * The H.265 parameter sets a stream has sent, by id (the latest of each wins), as copies
 * (callers may reuse the memory of the NAL units they pass). Parses a set only when its
 * bytes are new; `generation` counts changes, so a muxer knows when its init segment
 * no longer describes the stream.
 *
 * Memory: at most 16 VPS + 16 SPS + 64 PPS, each a few hundred bytes.
 */
export class HevcParameterSets implements HevcParameterSetLookup {
  private readonly vpsById = new Map<number, Stored<HevcVpsInfo>>();
  private readonly spsById = new Map<number, Stored<HevcSpsInfo>>();
  private readonly ppsById = new Map<number, Stored<HevcPpsInfo>>();
  /** +1 each time a stored set is added or changes its bytes. */
  generation = 0;

  /**
   * Takes the parameter sets of one access unit. A set that does not parse is left out
   * (the one stored before it stays) and named in the returned message; undefined when
   * all parsed.
   */
  update(sets: { vps: readonly Uint8Array[]; sps: readonly Uint8Array[]; pps: readonly Uint8Array[] }): string | undefined {
    const problems: string[] = [];
    for (const nal of sets.vps) this.put(this.vpsById, nal, parseHevcVps, (i) => i.vpsId, 'VPS', problems);
    for (const nal of sets.sps) this.put(this.spsById, nal, parseHevcSps, (i) => i.spsId, 'SPS', problems);
    for (const nal of sets.pps) this.put(this.ppsById, nal, parseHevcPps, (i) => i.ppsId, 'PPS', problems);
    return problems.length ? problems.join('; ') : undefined;
  }

  vps(id: number): HevcVpsInfo | undefined {
    return this.vpsById.get(id)?.info;
  }

  sps(id: number): HevcSpsInfo | undefined {
    return this.spsById.get(id)?.info;
  }

  pps(id: number): HevcPpsInfo | undefined {
    return this.ppsById.get(id)?.info;
  }

  /** The SPS of the lowest-numbered PPS whose SPS and VPS were sent: what the stream's pictures use. */
  activeSps(): HevcSpsInfo | undefined {
    for (const id of [...this.ppsById.keys()].sort((a, b) => a - b)) {
      const sps = this.sps(this.ppsById.get(id)!.info.spsId);
      if (sps && this.vpsById.has(sps.vpsId)) return sps;
    }
    return undefined;
  }

  /** Every stored set's bytes, sorted by id (hvcC arrays, array_completeness 1). */
  arrays(): HevcParameterSetArrays {
    const sorted = <T>(m: Map<number, Stored<T>>): Uint8Array[] => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s.nal);
    return { vps: sorted(this.vpsById), sps: sorted(this.spsById), pps: sorted(this.ppsById) };
  }

  private put<T>(
    map: Map<number, Stored<T>>,
    nal: Uint8Array,
    parse: (nal: Uint8Array) => T,
    idOf: (info: T) => number,
    name: string,
    problems: string[],
  ): void {
    for (const s of map.values()) if (sameBytes(s.nal, nal)) return; // repeated at every IRAP: no parse
    let info: T;
    try {
      info = parse(nal);
    } catch (err) {
      problems.push(`${name} (${nal.byteLength} bytes) does not parse: ${(err as Error).message}`);
      return;
    }
    const id = idOf(info);
    map.set(id, { nal: nal.slice(), info });
    this.generation++;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
