import { describe, expect, it } from 'vitest';
import { START_CODE_SCAN_WASM_BASE64 } from '../../../media/bitstream/start-code-scan-wasm.ts';
import { compileStartCodeWat } from '../../../scripts/start-code-wasm-source.ts';

describe('start-code-scan-wasm.ts', () => {
  it('is start-code-scan.wat compiled (run `npm run wasm` after editing the .wat)', async () => {
    const compiled = Buffer.from(await compileStartCodeWat()).toString('base64');
    expect(START_CODE_SCAN_WASM_BASE64).toBe(compiled);
  });
});
