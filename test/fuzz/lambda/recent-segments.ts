import { toSegmentItem, type SegmentItem } from '../../../contract/index.ts';

/** `count` back-to-back 6 s segments of one camera ending at `endMs`, one key, one discontinuity in the middle. */
export function recentSegments(deviceId: string, endMs: number, count: number): SegmentItem[] {
  const durationMs = 6000;
  return Array.from({ length: count }, (_, i) => {
    const startMs = endMs - (count - i) * durationMs;
    const seq = 1000 + i;
    return toSegmentItem(
      deviceId,
      {
        startMs,
        durationMs,
        seq,
        discSeq: i < count / 2 ? 3 : 4,
        keyId: 'ab'.repeat(16),
        iv: '0f'.repeat(16),
        codecs: 'avc1.4d401f,mp4a.40.2',
        width: 1280,
        height: 720,
      },
      `segments/${deviceId}/x/${startMs}-${seq}.ts`,
      750_000,
      30,
    );
  });
}
