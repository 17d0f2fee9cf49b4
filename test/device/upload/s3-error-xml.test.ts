import { describe, expect, it } from 'vitest';
import { decodeXmlText, parseS3ErrorXml } from '../../../device/upload/s3-error-xml.ts';

describe('parseS3ErrorXml', () => {
  it('reads Code, Message, RequestId and ServerTime from an S3 error document', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTimeDelta>900</RequestTimeDelta><RequestTime>20260102T032000Z</RequestTime><ServerTime>2026-01-02T03:05:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc=</HostId></Error>`;
    expect(parseS3ErrorXml(xml)).toEqual({
      code: 'RequestTimeTooSkewed',
      message: 'The difference between the request time and the current time is too large.',
      requestId: '4442587FB7D0A2F9',
      serverTime: '2026-01-02T03:05:00Z',
    });
  });

  it('decodes entities in the message', () => {
    const xml = '<Error><Code>AccessDenied</Code><Message>Access Denied: &quot;camA&quot; &amp; &lt;camB&gt; &#39;x&#x27;</Message></Error>';
    expect(parseS3ErrorXml(xml)).toEqual({ code: 'AccessDenied', message: `Access Denied: "camA" & <camB> 'x'` });
  });

  it('answers {} for bodies that are not an S3 error document', () => {
    expect(parseS3ErrorXml('')).toEqual({});
    expect(parseS3ErrorXml('<html><body>502 Bad Gateway</body></html>')).toEqual({});
    expect(parseS3ErrorXml('{"message":"Service Unavailable"}')).toEqual({});
  });

  it('fields outside <Error> are not read; missing fields are absent', () => {
    expect(parseS3ErrorXml('<Code>Nope</Code><Error><Code>SlowDown</Code></Error>')).toEqual({ code: 'SlowDown' });
  });

  it('leaves unknown and out-of-range entities as written', () => {
    expect(decodeXmlText('a &nbsp; b &#x110000; c')).toBe('a &nbsp; b &#x110000; c');
  });
});
