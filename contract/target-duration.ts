/**
 * EXT-X-TARGETDURATION for a configured segment length: the one formula the cloud (CDK
 * default, Lambda fallback), local mode and the agent's cut rule share.
 *
 * RFC 8216 4.3.3.1: every EXTINF, rounded to the nearest integer, must be at most the
 * target duration. The agent never lets a segment run past this value (it cuts at the
 * first IDR at or after `segmentSeconds - half a frame`, and earlier when the camera's GOP
 * would carry the segment past it; see device/media/segment/cut-policy.ts), so the target
 * duration can be the segment length itself, rounded up to whole seconds. As small as
 * that: a player reloads a live playlist once per target duration (6.3.4), and VLC 3
 * stalls at the start of live ("PCR is called too late") when it is well above the
 * segment length.
 *
 *   segmentSeconds 2 -> 2, 2.5 -> 3, 6 -> 6
 */
export function targetDurationSeconds(segmentSeconds: number): number {
  if (!(segmentSeconds > 0) || !Number.isFinite(segmentSeconds)) {
    throw new RangeError(`segmentSeconds=${segmentSeconds}: must be a positive number of seconds`);
  }
  // Millisecond precision first, so 2.0000000001 (float noise) stays 2.
  return Math.max(1, Math.ceil(Math.round(segmentSeconds * 1000) / 1000));
}
