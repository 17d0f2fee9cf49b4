import { describe, expect, it } from 'vitest';
import { ReadBufferPool } from '../../../../device/media/file/read-buffer-pool.ts';

describe('ReadBufferPool', () => {
  it('hands a buffer out again only when everything read into it lies before the held offset', () => {
    const pool = new ReadBufferPool(100, 3);
    const a = pool.take(0, 0);
    pool.filled(a, 0, 100);
    const b = pool.take(0, 100); // a still held (consumer holds from 0)
    expect(b).not.toBe(a);
    pool.filled(b, 100, 200);
    expect(pool.take(99, 200)).not.toBe(a); // byte 99 of a still held
    const c = pool.take(100, 300);
    expect(c).toBe(a); // all of a (0..100) is before 100
    expect(pool.take(1000, 400)).toBe(b);
  });

  it('never hands out a buffer with a read still pending, and stops pooling at its cap', () => {
    const pool = new ReadBufferPool(10, 2);
    const a = pool.take(0, 0); // pending: not filled yet
    const b = pool.take(1e9, 0);
    expect(b).not.toBe(a);
    const fresh = pool.take(1e9, 0); // both pending, cap reached: an unpooled buffer
    expect(fresh).not.toBe(a);
    expect(fresh).not.toBe(b);
    expect(pool.pooledBuffers).toBe(2);
    pool.filled(fresh, 0, 10); // unknown to the pool: ignored
    expect(pool.pooledBuffers).toBe(2);
  });
});
