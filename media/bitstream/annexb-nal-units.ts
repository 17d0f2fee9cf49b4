import { findStartCodes } from './start-code-finder.ts';

/**
 * The NAL units of one whole Annex-B buffer (an access unit, e.g. an MPEG-TS PES
 * payload), as views into it: start codes (3 or 4 bytes) and trailing_zero_8bits left
 * out, bytes before the first start code ignored. For a stream that arrives in pieces use
 * AnnexBSplitter.
 */
export function annexBNalUnits(data: Uint8Array): Uint8Array[] {
  const starts = findStartCodes(data, 0);
  const out: Uint8Array[] = [];
  for (let i = 0; i < starts.length; i++) {
    const begin = starts[i]! + 3;
    let end = i + 1 < starts.length ? starts[i + 1]! : data.byteLength;
    while (end > begin && data[end - 1] === 0) end--;
    if (end > begin) out.push(data.subarray(begin, end));
  }
  return out;
}
