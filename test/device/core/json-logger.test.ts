import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../device/core/json-logger.ts';

describe('JSON logger', () => {
  it('never writes a camera URL password, whoever logs it and however deep it sits', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ out: { write: (l: string) => lines.push(l) }, fields: { deviceId: 'gw-1' } });
    const url = 'rtsp://admin:Secr3t!@10.0.0.5:554/cam/realmonitor?channel=1&password=Secr3t!';
    log.warn(`could not open ${url}`, { err: new Error(`ffmpeg: ${url}: Connection refused`, { cause: new Error(url) }), source: { url } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('Secr3t');
    expect(lines[0]).toContain('rtsp://admin:***@10.0.0.5:554/cam/realmonitor?channel=1&password=***');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', deviceId: 'gw-1' });
  });
});
