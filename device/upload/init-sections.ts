import { createHash } from 'node:crypto';
import { INIT_CONTENT_TYPE, initKey } from '../../contract/index.ts';
import { ItemKind, type UploadItem } from '../core/upload-item.ts';
import type { InitSection } from '../media/container/segment-container.ts';

/** Init sections remembered as published (one per configuration and data key; a few at most). */
const REMEMBERED = 32;

/**
 * The id an init section is published under for segments encrypted with `keyId`: the first
 * 16 bytes of SHA-256(init id, key id), 32 hex digits. The same configuration gets a new
 * copy with each data key, so the `init/` prefix can expire as `keys/` does (a day after
 * the longest history): every segment that names a copy was recorded within a key's
 * rotation period of it being written, like the key it names.
 */
export function publishedInitId(initId: string, keyId: string): string {
  return createHash('sha256').update(`${initId}/${keyId}`).digest('hex').slice(0, 32);
}

/**
 * fMP4 init sections on their way to S3: each is published once per data key (queued with
 * the durability of a wrapped key: spooled, or held in memory when the disk fails) before
 * the first segment that names it, as `init/{deviceId}/{publishedInitId}.mp4`. The id is a
 * hash of the bytes and the key id, so the same configuration under the same key after a
 * restart names the same object, and S3's 412 for it means "already there".
 */
export class InitSections {
  private readonly published: string[] = [];

  constructor(
    private readonly deviceId: string,
    /** Stores the item for upload and resolves once it is durable and queued ahead of the segments that name it. */
    private readonly publish: (item: UploadItem, bytes: Uint8Array) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Publishes `init` for segments under `keyId` unless it was already (in this run); resolves with its id once it is queued. */
  async ensure(init: InitSection, keyId: string): Promise<string> {
    const id = publishedInitId(init.id, keyId);
    if (this.published.includes(id)) return id;
    await this.publish(
      { kind: ItemKind.INIT, objectKey: initKey({ deviceId: this.deviceId, initId: id }), contentType: INIT_CONTENT_TYPE, metadata: {}, initId: id, createdMs: this.now() },
      init.bytes,
    );
    this.published.push(id);
    if (this.published.length > REMEMBERED) this.published.shift();
    return id;
  }
}
