import { INIT_CONTENT_TYPE, initKey } from '../../contract/index.ts';
import { ItemKind, type UploadItem } from '../core/upload-item.ts';

/** An fMP4 init section as the segmenter hands it out (media/container's InitSection): its content id and bytes. */
export interface InitSectionBytes {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/** Init section ids remembered as published (a camera has one per configuration; a few at most). */
const REMEMBERED_INIT_IDS = 32;

/**
 * fMP4 init sections on their way to S3: each is published once (queued with the
 * durability of a wrapped key: spooled, or held in memory when the disk fails) before the
 * first segment that names it, as `init/{deviceId}/{initId}.mp4`. Its id is the hash of its
 * bytes, so the same configuration after a restart names the same object, and S3's 412 for
 * it means "already there". One object serves a configuration for as long as the camera
 * keeps it (months): a new copy would change the playlist's EXT-X-MAP, which players
 * (ffmpeg) treat as a second moov. So init/ has no age expiry (see lib/storage/segment-store.ts).
 */
export class InitSections {
  private readonly published: string[] = [];

  constructor(
    private readonly deviceId: string,
    /** Stores the item for upload and resolves once it is durable and queued ahead of the segments that name it. */
    private readonly publish: (item: UploadItem, bytes: Uint8Array) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Publishes `init` unless it was already (in this run); resolves with its id once it is queued. */
  async ensure(init: InitSectionBytes): Promise<string> {
    if (this.published.includes(init.id)) return init.id;
    await this.publish(
      {
        kind: ItemKind.INIT,
        objectKey: initKey({ deviceId: this.deviceId, initId: init.id }),
        contentType: INIT_CONTENT_TYPE,
        metadata: {},
        initId: init.id,
        createdMs: this.now(),
      },
      init.bytes,
    );
    this.published.push(init.id);
    if (this.published.length > REMEMBERED_INIT_IDS) this.published.shift();
    return init.id;
  }
}
