const START_CODE_3 = Buffer.from([0, 0, 1]);

/**
 * The NAL units of one whole Annex-B buffer (an access unit, e.g. an MPEG-TS PES
 * payload), as views into it: start codes (3 or 4 bytes) and trailing_zero_8bits left
 * out, bytes before the first start code ignored. For a stream that arrives in pieces use
 * AnnexBSplitter.
 */
export function annexBNalUnits(data: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: Uint8Array[] = [];
  let start = buf.indexOf(START_CODE_3);
  while (start >= 0) {
    const begin = start + 3;
    const next = buf.indexOf(START_CODE_3, begin);
    let end = next < 0 ? data.byteLength : next;
    while (end > begin && data[end - 1] === 0) end--;
    if (end > begin) out.push(data.subarray(begin, end));
    start = next;
  }
  return out;
}
