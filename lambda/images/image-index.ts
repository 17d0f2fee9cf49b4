import type { ImageItem } from '../../contract/index.ts';
import type { PutOutcome } from '../index/segment-index.ts';

/**
 * The pictures in the index (`img#{tsMs:13}#{imageId}` items on the camera's partition).
 * Every read is one Query or GetItem; the write is conditional (replays are no-ops).
 */
export interface ImageIndex {
  putImage(item: ImageItem): Promise<PutOutcome>;
  /** One picture, or undefined when it is not indexed (or expired). */
  getImage(deviceId: string, tsMs: number, imageId: string): Promise<ImageItem | undefined>;
  /** Pictures with tsMs in [fromMs, toMs), ascending, at most `limit`. */
  queryImages(deviceId: string, fromMs: number, toMs: number, limit?: number): Promise<ImageItem[]>;
}
