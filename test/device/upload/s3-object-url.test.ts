import { describe, expect, it } from 'vitest';
import { encodeS3Key, hostHeader, s3ObjectTarget } from '../../../device/upload/s3-object-url.ts';

const key = 'segments/cam-1/2026/01/02/03/1767323045000-7.ts';

describe('s3ObjectTarget', () => {
  it('real AWS: virtual-hosted style on the regional endpoint', () => {
    const t = s3ObjectTarget({ bucket: 'camrec-rec', region: 'eu-west-1' }, key);
    expect(t).toEqual({ protocol: 'https:', hostname: 'camrec-rec.s3.eu-west-1.amazonaws.com', port: '', path: `/${key}` });
    expect(hostHeader(t)).toBe('camrec-rec.s3.eu-west-1.amazonaws.com');
  });

  it('China regions use amazonaws.com.cn', () => {
    expect(s3ObjectTarget({ bucket: 'b', region: 'cn-north-1' }, key).hostname).toBe('b.s3.cn-north-1.amazonaws.com.cn');
  });

  it('endpoint override with forcePathStyle: bucket in the path, port kept in host', () => {
    const t = s3ObjectTarget({ bucket: 'camrec', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }, key);
    expect(t).toEqual({ protocol: 'http:', hostname: '127.0.0.1', port: '9000', path: `/camrec/${key}` });
    expect(hostHeader(t)).toBe('127.0.0.1:9000');
  });

  it('a dotted bucket over https falls back to path style (the wildcard certificate would not match)', () => {
    const t = s3ObjectTarget({ bucket: 'rec.example.com', region: 'us-east-1' }, 'keys/cam/k.bin');
    expect(t.hostname).toBe('s3.us-east-1.amazonaws.com');
    expect(t.path).toBe('/rec.example.com/keys/cam/k.bin');
  });

  it('an endpoint override without forcePathStyle: virtual-hosted on a name, path style on an IP or localhost', () => {
    expect(s3ObjectTarget({ bucket: 'rec', region: 'us-east-1', endpoint: 'https://store.lan:9443' }, 'k.ts')).toEqual({
      protocol: 'https:',
      hostname: 'rec.store.lan',
      port: '9443',
      path: '/k.ts',
    });
    expect(s3ObjectTarget({ bucket: 'rec', region: 'us-east-1', endpoint: 'http://10.0.0.5:9000' }, 'k.ts').path).toBe('/rec/k.ts');
    expect(s3ObjectTarget({ bucket: 'rec', region: 'us-east-1', endpoint: 'http://[::1]:9000' }, 'k.ts').path).toBe('/rec/k.ts');
    expect(s3ObjectTarget({ bucket: 'rec', region: 'us-east-1', endpoint: 'http://localhost:9000/' }, 'k.ts').path).toBe('/rec/k.ts');
  });

  it('refuses a non-http endpoint, naming the fix', () => {
    expect(() => s3ObjectTarget({ bucket: 'b', region: 'us-east-1', endpoint: 'ftp://x' }, key)).toThrow(/must be an http\(s\) URL/);
  });
});

describe('encodeS3Key', () => {
  it('keeps slashes and unreserved characters, encodes the rest (RFC 3986, as S3 canonicalises)', () => {
    expect(encodeS3Key('test$file.text')).toBe('test%24file.text');
    expect(encodeS3Key("a b/c+d/(x)!*'~_-.")).toBe('a%20b/c%2Bd/%28x%29%21%2A%27~_-.');
    expect(encodeS3Key('é/ü')).toBe('%C3%A9/%C3%BC');
  });
});
