import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CostArgsError, RequestCountsError } from '../../bench/cost/cost-errors.ts';
import { DEFAULT_SCENARIO } from '../../bench/cost/cost-scenario.ts';
import { DESIGN_COUNTS_PATH, loadRequestCounts, readRequestCounts } from '../../bench/cost/load-request-counts.ts';
import { parseCostArgs } from '../../bench/cost/parse-cost-args.ts';

describe('npm run cost flags', () => {
  test('no flags: the default grid', () => {
    expect(parseCostArgs([])).toMatchObject({ single: false, help: false, scenario: DEFAULT_SCENARIO });
  });

  test('bitrate, retention and segment length set one scenario', () => {
    const a = parseCostArgs(['--bitrate-mbps', '2.5', '--retention-days', '90', '--segment-seconds', '6']);
    expect(a.single).toBe(true);
    expect(a.scenario).toMatchObject({ bitrateMbps: 2.5, retentionDays: 90, segmentSeconds: 6 });
  });

  test('history is packed in the cheapest class unless told; --pack-class none is the unpacked model', () => {
    expect(parseCostArgs([]).scenario.packing).toMatchObject({ storageClass: 'cheapest', historyViewingShare: 0.5 });
    expect(parseCostArgs(['--pack-class', 'GLACIER_IR', '--hot-hours', '1', '--history-share', '1']).scenario.packing).toEqual({
      storageClass: 'GLACIER_IR',
      hotHours: 1,
      historyViewingShare: 1,
    });
    expect(parseCostArgs(['--pack-class', 'none']).scenario.packing).toBeUndefined();
    expect(parseCostArgs(['--pack-class', 'cheapest-one-zone']).scenario.packing).toMatchObject({ storageClass: 'cheapest-one-zone' });
    expect(() => parseCostArgs(['--pack-class', 'DEEP_ARCHIVE', '--history-share', '2'])).toThrow(
      /--pack-class "DEEP_ARCHIVE": must be STANDARD, STANDARD_IA, GLACIER_IR, ONEZONE_IA, cheapest, cheapest-one-zone or none; --history-share 2: must be from 0 to 1/,
    );
  });

  test('a lifecycle flag adds a transition (unpacked), Standard-IA unless told', () => {
    expect(parseCostArgs(['--transition-days', '30']).scenario.lifecycle).toEqual({ transitionAfterDays: 30, toClass: 'STANDARD_IA' });
    expect(parseCostArgs(['--transition-days', '30']).scenario.packing).toBeUndefined();
    expect(parseCostArgs(['--transition-days', '30', '--cold-class', 'GLACIER_IR']).scenario.lifecycle).toEqual({
      transitionAfterDays: 30,
      toClass: 'GLACIER_IR',
    });
  });

  test('every bad flag is reported at once, with what is allowed', () => {
    let err: unknown;
    try {
      parseCostArgs(['--bitrate-mbps', '-1', '--nope', '3', '--cold-class', 'DEEP', '--retention-days']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CostArgsError);
    const msg = (err as Error).message;
    expect(msg).toContain('--bitrate-mbps "-1": must be a number > 0');
    expect(msg).toContain('unknown flag "--nope"');
    expect(msg).not.toContain('unknown flag "3"');
    expect(msg).toContain('--cold-class "DEEP": must be STANDARD_IA or GLACIER_IR');
    expect(msg).toContain('--retention-days "": must be a number > 0');
  });
});

describe('request counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'camrec-cost-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the committed design counts are valid and say they are not measured', () => {
    expect(readRequestCounts(DESIGN_COUNTS_PATH).label).toBe('design counts, not yet measured');
  });

  test("the soak's file wins when it exists; otherwise the design counts are used", () => {
    const soak = join(dir, 'soak-requests.json');
    expect(loadRequestCounts(soak).path).toBe(DESIGN_COUNTS_PATH);
    const measured = { ...readRequestCounts(DESIGN_COUNTS_PATH), label: 'measured by the soak' };
    writeFileSync(soak, JSON.stringify(measured));
    expect(loadRequestCounts(soak)).toEqual({ counts: measured, path: soak });
  });

  test('a malformed file is refused with its path and the field at fault', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ label: 'x', lambdaMemoryMb: 256 }));
    expect(() => readRequestCounts(bad)).toThrow(RequestCountsError);
    expect(() => readRequestCounts(bad)).toThrow(/recording/);
    writeFileSync(bad, '{not json');
    expect(() => readRequestCounts(bad)).toThrow(/cannot read request counts from .*bad\.json/);
  });
});
