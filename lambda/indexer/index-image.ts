import { MAX_IMAGE_BYTES, parseImageMetadata, toImageItem, type ImageKeyParts } from '../../contract/index.ts';
import type { ImageIndex } from '../images/image-index.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { SkipObject } from './skip-object.ts';

export interface IndexImageDeps {
  images: ImageIndex;
  store: ObjectStore;
  /** Days a picture of continuous footage is kept (its folder's lifecycle rule says the same). */
  retentionDays: number;
  /** Days a picture taken in an event is kept. */
  eventRetentionDays: number;
}

/** AES-128-CBC of at most MAX_IMAGE_BYTES plain bytes: one block of padding more. */
const MAX_STORED_BYTES = MAX_IMAGE_BYTES + 16;

/**
 * A picture's object -> its index item (HeadObject: the metadata names its time, key and
 * IV, which must agree with the key). The item's TTL matches its folder's lifecycle rule.
 */
export async function indexImage(deps: IndexImageDeps, key: string, p: ImageKeyParts): Promise<'indexed' | 'duplicate'> {
  const head = await deps.store.head(key);
  if (!head) throw new SkipObject('object no longer exists');
  if (head.sizeBytes < 16 || head.sizeBytes > MAX_STORED_BYTES || head.sizeBytes % 16 !== 0)
    throw new SkipObject(
      `a picture is AES-128-CBC of at most ${MAX_IMAGE_BYTES} bytes (16 to ${MAX_STORED_BYTES}, whole blocks); this one is ${head.sizeBytes}`,
    );
  let meta;
  try {
    meta = parseImageMetadata(head.metadata);
  } catch (e) {
    throw new SkipObject((e as Error).message);
  }
  if (meta.tsMs !== p.tsMs) throw new SkipObject(`metadata ts-ms ${meta.tsMs} disagrees with the key (${p.tsMs})`);
  const days = p.event ? deps.eventRetentionDays : deps.retentionDays;
  const outcome = await deps.images.putImage(toImageItem(p.deviceId, p.imageId, meta, key, head.sizeBytes, days));
  return outcome === 'created' ? 'indexed' : 'duplicate';
}
