import { randomBytes, type KeyObject } from 'node:crypto';
import { DATA_KEY_BYTES, WRAPPED_KEY_CONTENT_TYPE, wrapDataKey, wrappedKeyKey } from '../../contract/index.ts';
import { ItemKind, type UploadItem } from '../core/upload-item.ts';

export interface DataKey {
  /** 32 lowercase hex digits. */
  readonly keyId: string;
  /** The 16-byte AES-128 key; zeroed when the key rotates out. */
  readonly key: Buffer;
}

export interface KeyRotatorOptions {
  deviceId: string;
  /** The deployment's RSA public key (RSA-OAEP-SHA256). */
  publicKey: KeyObject;
  rotationMs: number;
  now?: () => number;
  /**
   * Stores the wrapped key for upload (the agent spools it) and resolves once it is
   * durable and queued ahead of any segment that uses the key.
   */
  publish: (item: UploadItem, wrapped: Uint8Array) => Promise<void>;
}

/**
 * Draws a fresh data key at start and every `rotationMs`, wraps it, and publishes the
 * wrapped key before handing the key out. The previous plain key is overwritten with
 * zeros when it rotates out, so a stolen camera cannot decrypt what it already sent.
 */
export class KeyRotator {
  private currentKey: DataKey | undefined;
  private createdAtMs = 0;
  private rotating: Promise<DataKey> | undefined;
  private readonly now: () => number;

  constructor(private o: KeyRotatorOptions) {
    this.o = { ...o };
    this.now = o.now ?? Date.now;
  }

  /** The key to encrypt with now (rotating first when due). */
  async current(): Promise<DataKey> {
    if (this.currentKey && this.now() - this.createdAtMs < this.o.rotationMs) return this.currentKey;
    this.rotating ??= this.rotate().finally(() => {
      this.rotating = undefined;
    });
    return this.rotating;
  }

  /** Changes the rotation period (config reload); the current key keeps its start time. */
  setRotationMs(ms: number): void {
    this.o.rotationMs = ms;
  }

  /** Forgets the plain key (shutdown). */
  forget(): void {
    this.currentKey?.key.fill(0);
    this.currentKey = undefined;
  }

  private async rotate(): Promise<DataKey> {
    const key = randomBytes(DATA_KEY_BYTES);
    const keyId = randomBytes(16).toString('hex');
    const wrapped = wrapDataKey(this.o.publicKey, key, { deviceId: this.o.deviceId, keyId });
    const createdMs = this.now();
    await this.o.publish(
      {
        kind: ItemKind.KEY,
        objectKey: wrappedKeyKey({ deviceId: this.o.deviceId, keyId }),
        contentType: WRAPPED_KEY_CONTENT_TYPE,
        metadata: {},
        keyId,
        createdMs,
      },
      wrapped,
    );
    this.forget();
    this.currentKey = { keyId, key };
    this.createdAtMs = createdMs;
    return this.currentKey;
  }
}
